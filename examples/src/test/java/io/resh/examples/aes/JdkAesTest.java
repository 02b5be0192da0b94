package io.resh.examples.aes;

/** The AES service contract, NIST vectors included, run against {@link JdkAes}. */
class JdkAesTest extends AesServiceContract {

    @Override
    AesCtrService newService() {
        return new JdkAes();
    }
}
