/**
 * The AES case study: one encryption service written three times over independent AES code, so
 * that a group of three replicas is N-version diverse as well as isolated. {@link
 * io.resh.examples.aes.JdkAes}, {@link io.resh.examples.aes.BcAesEngine} and {@link
 * io.resh.examples.aes.BcAesLight} answer the same protocol ({@link io.resh.examples.aes.AesRequests})
 * with identical bytes and write identical snapshots; {@link io.resh.examples.aes.AesOracle}
 * computes outside the group what a correct group must answer.
 *
 * <p>Everything the three share (request parsing, the key and counter state, the snapshot format)
 * lives once in package-private classes; only the AES engine and the CTR mode differ.
 */
package io.resh.examples.aes;
