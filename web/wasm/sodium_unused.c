/*
 * sodium_unused.c: sodium_init (libsodium's core.c) picks the fastest
 * implementation of every primitive the library has; the WebAssembly build
 * compiles only the primitives the ledger uses (SHA-256, SHA-512, Ed25519,
 * web/wasm/build.sh), so the pickers of the others are these, which pick
 * nothing: those primitives are not in the module and nothing calls them.
 */
int _crypto_generichash_blake2b_pick_best_implementation(void);
int _crypto_onetimeauth_poly1305_pick_best_implementation(void);
int _crypto_pwhash_argon2_pick_best_implementation(void);
int _crypto_stream_chacha20_pick_best_implementation(void);
int _crypto_stream_salsa20_pick_best_implementation(void);

int _crypto_generichash_blake2b_pick_best_implementation(void)
{
	return 0;
}

int _crypto_onetimeauth_poly1305_pick_best_implementation(void)
{
	return 0;
}

int _crypto_pwhash_argon2_pick_best_implementation(void)
{
	return 0;
}

int _crypto_stream_chacha20_pick_best_implementation(void)
{
	return 0;
}

int _crypto_stream_salsa20_pick_best_implementation(void)
{
	return 0;
}
