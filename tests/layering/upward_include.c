/*
 * upward_include.c: the include half of the layering test (check.sh).
 * Compiled with the log layer's include roots only. As it is, it includes
 * the log's own public header and compiles: the control. With
 * OT_LAYERING_VIOLATION it also includes the ledger's public header, one
 * layer up, which the log's roots do not hold, and must fail to compile
 * ("oretrail/ledger.h: No such file or directory" from gcc, "'oretrail/
 * ledger.h' file not found" from clang).
 */
#include "oretrail/log.h"
#ifdef OT_LAYERING_VIOLATION
#include "oretrail/ledger.h"
#endif

uint64_t layering_log_size(const ot_log *log);

uint64_t layering_log_size(const ot_log *log)
{
	return ot_log_size(log);
}
