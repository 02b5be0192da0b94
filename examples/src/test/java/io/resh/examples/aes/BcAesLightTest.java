package io.resh.examples.aes;

/** The AES service contract, NIST vectors included, run against {@link BcAesLight}. */
class BcAesLightTest extends AesServiceContract {

    @Override
    AesCtrService newService() {
        return new BcAesLight();
    }
}
