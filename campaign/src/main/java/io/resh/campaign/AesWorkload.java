package io.resh.campaign;

import io.resh.examples.aes.AesRequests;
import io.resh.examples.aes.BcAesEngine;
import io.resh.examples.aes.BcAesLight;
import io.resh.examples.aes.JdkAes;
import io.resh.replica.ReplicatedService;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * AES-CTR encryption as in the L4 case study: mostly encryptions of 16 to 256 bytes, some decryptions,
 * an occasional key change (so the key, the state that matters, keeps moving) and served-count queries.
 * The golden run is {@link JdkAes}; a diverse group runs JDK, BouncyCastle table-driven and BouncyCastle
 * light AES side by side. The AES snapshot has no timestamps, so states compare byte for byte.
 */
final class AesWorkload implements Workload {

    @Override
    public String name() {
        return "aes";
    }

    @Override
    public List<String> versions() {
        return List.of(JdkAes.class.getName(), BcAesEngine.class.getName(), BcAesLight.class.getName());
    }

    @Override
    public ReplicatedService newGolden() {
        return new JdkAes();
    }

    @Override
    public byte[] nextRequest(SplittableRandom random) {
        int dice = random.nextInt(100);
        if (dice < 5) {
            return AesRequests.served();
        }
        if (dice < 12) {
            int[] lengths = {16, 24, 32};
            byte[] key = new byte[lengths[random.nextInt(lengths.length)]];
            random.nextBytes(key);
            return AesRequests.setKey(key);
        }
        byte[] nonce = new byte[AesRequests.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] text = new byte[16 + random.nextInt(241)];
        random.nextBytes(text);
        return dice < 22 ? AesRequests.decrypt(nonce, text) : AesRequests.encrypt(nonce, text);
    }

    @Override
    public boolean sameState(byte[] snapshot, ReplicatedService golden) {
        return Arrays.equals(snapshot, GoldenRun.snapshotOf(golden));
    }
}
