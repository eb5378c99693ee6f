/*
 * crypto.h: one-time initialisation of the crypto library (libsodium).
 */
#ifndef OT_LOG_CRYPTO_H
#define OT_LOG_CRYPTO_H

/* Initialises libsodium once; safe to call from any thread, any number of
 * times. */
void otx_crypto_init(void);

#endif
