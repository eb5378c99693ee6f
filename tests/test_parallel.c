/*
 * test_parallel.c: the engine's parallel helpers (ledger/batch.h).
 *
 * 1. otx_parallel_for runs the step once on every item, on the helpers'
 *    cores and the caller's, and serially when asked.
 * 2. otx_parallel_ordered hands each item to the consumer in order, only
 *    after the step has run on it; a consumer's failure at item k is
 *    returned, no item past k is consumed, and every step that ran has
 *    finished when the call returns (the helpers are joined).
 * 3. otx_task runs its function once, beside the caller or (serial) at once
 *    on the caller's thread; otx_task_wait(NULL) is a no-op.
 * The counts are checked, not the timing: they hold on a busy machine.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/batch.h"
#include "test.h"

#define N 5000

typedef struct run {
	atomic_int stepped[N]; /* times the step ran on each item */
	atomic_int steps;      /* steps that ran, in all */
	atomic_int finished;   /* steps that returned */
	size_t consumed;       /* items consumed, in order */
	size_t fail_at;        /* consume fails at this item (N: never) */
	int out_of_order;      /* an item consumed before its step ran, or twice */
} run;

static void step(void *ctx, size_t i)
{
	run *r = ctx;
	atomic_fetch_add(&r->steps, 1);
	atomic_fetch_add(&r->stepped[i], 1);
	atomic_fetch_add(&r->finished, 1);
}

static ot_status consume(void *ctx, size_t i)
{
	run *r = ctx;
	if (i != r->consumed || atomic_load(&r->stepped[i]) != 1)
		r->out_of_order = 1;
	if (i == r->fail_at)
		return OT_ERR_IO;
	r->consumed++;
	return OT_OK;
}

static run *fresh(size_t fail_at)
{
	run *r = calloc(1, sizeof *r);
	CHECK(r != NULL);
	for (size_t i = 0; i < N; i++)
		atomic_init(&r->stepped[i], 0);
	atomic_init(&r->steps, 0);
	atomic_init(&r->finished, 0);
	r->fail_at = fail_at;
	return r;
}

static int each_once(run *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (atomic_load(&r->stepped[i]) != 1)
			return 0;
	return 1;
}

static void test_for(void)
{
	for (int serial = 0; serial <= 1; serial++) {
		run *r = fresh(N);
		otx_parallel_for(N, OTX_PARALLEL_LIGHT, serial, step, r);
		CHECK(each_once(r, N));
		CHECK(atomic_load(&r->steps) == N);
		free(r);
	}
}

static void test_ordered(void)
{
	for (int serial = 0; serial <= 1; serial++) {
		run *r = fresh(N);
		CHECK_OK(otx_parallel_ordered(N, OTX_PARALLEL_LIGHT, serial, step, r, consume, r));
		CHECK(r->consumed == N && !r->out_of_order);
		CHECK(each_once(r, N) && atomic_load(&r->steps) == N);
		free(r);

		/* A failure at item 700: returned, nothing after it consumed,
		 * and every step that started has finished. */
		r = fresh(700);
		CHECK_RC(otx_parallel_ordered(N, OTX_PARALLEL_LIGHT, serial, step, r, consume, r),
		         OT_ERR_IO);
		CHECK(r->consumed == 700 && !r->out_of_order);
		CHECK(atomic_load(&r->steps) >= 701 &&
		      atomic_load(&r->steps) == atomic_load(&r->finished));
		for (size_t i = 0; i < N; i++)
			CHECK(atomic_load(&r->stepped[i]) <= 1);
		free(r);
	}
	/* None, and fewer than the threshold (no helper). */
	run *r = fresh(N);
	CHECK_OK(otx_parallel_ordered(0, OTX_PARALLEL_LIGHT, 0, step, r, consume, r));
	CHECK(r->consumed == 0 && atomic_load(&r->steps) == 0);
	CHECK_OK(otx_parallel_ordered(3, OTX_PARALLEL_LIGHT, 0, step, r, consume, r));
	CHECK(r->consumed == 3 && !r->out_of_order && each_once(r, 3));
	free(r);
}

static void bump(void *ctx)
{
	atomic_fetch_add((atomic_int *)ctx, 1);
}

static void test_task(void)
{
	atomic_int n;
	atomic_init(&n, 0);
	otx_task *t = otx_task_start(bump, &n, 0);
	otx_task_wait(t);
	CHECK(atomic_load(&n) == 1);
	/* Serial: done before the start returns, and nothing to wait for. */
	t = otx_task_start(bump, &n, 1);
	CHECK(t == NULL && atomic_load(&n) == 2);
	otx_task_wait(NULL);
	CHECK(atomic_load(&n) == 2);
}

int main(void)
{
	test_for();
	test_ordered();
	test_task();
	return test_done("test_parallel");
}
