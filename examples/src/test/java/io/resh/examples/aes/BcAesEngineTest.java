package io.resh.examples.aes;

/** The AES service contract, NIST vectors included, run against {@link BcAesEngine}. */
class BcAesEngineTest extends AesServiceContract {

    @Override
    AesCtrService newService() {
        return new BcAesEngine();
    }
}
