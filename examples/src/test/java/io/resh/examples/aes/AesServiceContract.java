package io.resh.examples.aes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.examples.FixedContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * What every AES implementation must do, run once per implementation by its subclass. The vectors
 * are NIST SP 800-38A appendix F.5 (CTR mode).
 */
abstract class AesServiceContract {

    static final HexFormat HEX = HexFormat.of();
    static final byte[] NIST_COUNTER = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    static final byte[] NIST_PLAINTEXT = HEX.parseHex(
            "6bc1bee22e409f96e93d7e117393172a" + "ae2d8a571e03ac9c9eb76fac45af8e51"
            + "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710");
    static final byte[] NIST_CIPHERTEXT_128 = HEX.parseHex(
            "874d6191b620e3261bef6864990db6ce" + "9806f66b7970fdff8617187bb9fffdff"
            + "5ae4df3edbd5d35e5b4f09020db03eab" + "1e031dda2fbe03d1792170a0f3009cee");
    static final byte[] NIST_KEY_192 = HEX.parseHex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b");
    static final byte[] NIST_CIPHERTEXT_192 = HEX.parseHex(
            "1abc932417521ca24f2b0459fe7e6e0b" + "090339ec0aa6faefd5ccc2c6f4ce8e94"
            + "1e36b26bd1ebc670d1bd1d665620abf7" + "4f78a7f6d29809585a97daec58c6b050");
    static final byte[] NIST_KEY_256 = HEX.parseHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    static final byte[] NIST_CIPHERTEXT_256 = HEX.parseHex(
            "601ec313775789a5b7a7f504bbf3d228" + "f443e3ca4d62b59aca84e990cacaf5c5"
            + "2b0930daa23de94ce87017ba2d84988d" + "dfc9c58db67aada613c2dd08457941a6");

    private long sequence;

    abstract AesCtrService newService();

    byte[] call(AesCtrService service, byte[] request) throws Exception {
        return service.execute(request, FixedContext.at(++sequence));
    }

    static byte[] snapshotOf(AesCtrService service) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        service.snapshot(out);
        return out.toByteArray();
    }

    @Test
    void shouldEncryptNistCtrAes128VectorWithTheDefaultKey() throws Exception {
        assertThat(call(newService(), AesRequests.encrypt(NIST_COUNTER, NIST_PLAINTEXT))).isEqualTo(NIST_CIPHERTEXT_128);
    }

    @Test
    void shouldDecryptNistCtrAes128Vector() throws Exception {
        assertThat(call(newService(), AesRequests.decrypt(NIST_COUNTER, NIST_CIPHERTEXT_128))).isEqualTo(NIST_PLAINTEXT);
    }

    @Test
    void shouldEncryptNistCtrAes192And256VectorsAfterChangingTheKey() throws Exception {
        AesCtrService service = newService();
        call(service, AesRequests.setKey(NIST_KEY_192));
        assertThat(call(service, AesRequests.encrypt(NIST_COUNTER, NIST_PLAINTEXT))).isEqualTo(NIST_CIPHERTEXT_192);
        call(service, AesRequests.setKey(NIST_KEY_256));
        assertThat(call(service, AesRequests.encrypt(NIST_COUNTER, NIST_PLAINTEXT))).isEqualTo(NIST_CIPHERTEXT_256);
    }

    @Test
    void shouldEncryptPartialBlocksAsAPrefixOfTheFullKeystream() throws Exception {
        AesCtrService service = newService();
        byte[] partial = Arrays.copyOf(NIST_PLAINTEXT, 37);
        assertThat(call(service, AesRequests.encrypt(NIST_COUNTER, partial))).isEqualTo(Arrays.copyOf(NIST_CIPHERTEXT_128, 37));
        assertThat(call(service, AesRequests.encrypt(NIST_COUNTER, new byte[0]))).isEmpty();
    }

    @Test
    void shouldWrapTheCounterModulo2To128() throws Exception {
        byte[] allOnes = new byte[16];
        Arrays.fill(allOnes, (byte) 0xFF);
        byte[] ciphertext = call(newService(), AesRequests.encrypt(allOnes, new byte[32]));
        // Encrypting zeros yields the keystream: block 1 is AES(ff..ff), block 2 must be AES(00..00).
        assertThat(Arrays.copyOfRange(ciphertext, 0, 16)).isEqualTo(aesBlock(AesRequests.defaultKey(), allOnes));
        assertThat(Arrays.copyOfRange(ciphertext, 16, 32)).isEqualTo(aesBlock(AesRequests.defaultKey(), new byte[16]));
    }

    @Test
    void shouldAnswerSetKeyWithTheKeyCheckValue() throws Exception {
        byte[] reply = call(newService(), AesRequests.setKey(NIST_KEY_256));
        assertThat(reply).isEqualTo(Arrays.copyOf(aesBlock(NIST_KEY_256, new byte[16]), 3));
    }

    @Test
    void shouldCountEveryWellFormedRequestServed() throws Exception {
        AesCtrService service = newService();
        call(service, AesRequests.encrypt(NIST_COUNTER, NIST_PLAINTEXT));
        call(service, AesRequests.setKey(NIST_KEY_192));
        assertThatThrownBy(() -> call(service, new byte[] {'X'})).isInstanceOf(IllegalArgumentException.class);
        assertThat(AesRequests.servedCount(call(service, AesRequests.served()))).isEqualTo(3);
        assertThat(AesRequests.servedCount(call(service, AesRequests.served()))).isEqualTo(4);
    }

    @Test
    void shouldRejectMalformedRequestsWithoutChangingState() throws Exception {
        AesCtrService service = newService();
        byte[] before = snapshotOf(service);
        byte[][] malformed = {
            {}, {'E'}, {'D', 1, 2, 3}, {'K', 1, 2}, {'S', 0}, {'Q', 0, 0},
        };
        for (byte[] request : malformed) {
            assertThatThrownBy(() -> call(service, request))
                    .as("request %s", HEX.formatHex(request))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("AES request")
                    .hasMessageNotContaining("\n");
        }
        assertThat(snapshotOf(service)).isEqualTo(before);
    }

    @Test
    void shouldRestoreSnapshotIntoAFreshReplica() throws Exception {
        AesCtrService original = newService();
        call(original, AesRequests.setKey(NIST_KEY_256));
        call(original, AesRequests.encrypt(NIST_COUNTER, NIST_PLAINTEXT));
        byte[] snapshot = snapshotOf(original);

        AesCtrService recovered = newService();
        recovered.restore(new ByteArrayInputStream(snapshot));

        assertThat(snapshotOf(recovered)).isEqualTo(snapshot);
        assertThat(call(recovered, AesRequests.encrypt(NIST_COUNTER, NIST_PLAINTEXT))).isEqualTo(NIST_CIPHERTEXT_256);
        assertThat(AesRequests.servedCount(call(recovered, AesRequests.served()))).isEqualTo(4);
    }

    @Test
    void shouldWriteTheSameSnapshotBytesForTheSameState() throws Exception {
        AesCtrService first = newService();
        AesCtrService second = newService();
        for (AesCtrService service : new AesCtrService[] {first, second}) {
            call(service, AesRequests.setKey(NIST_KEY_192));
            call(service, AesRequests.decrypt(NIST_COUNTER, NIST_PLAINTEXT));
        }
        assertThat(snapshotOf(first)).isEqualTo(snapshotOf(second)).isEqualTo(snapshotOf(first));
        assertThat(snapshotOf(first)).hasSize(4 + 1 + 1 + 24 + 8);
    }

    @Test
    void shouldRejectCorruptSnapshotsAndKeepItsState() throws Exception {
        AesCtrService service = newService();
        call(service, AesRequests.setKey(NIST_KEY_256));
        byte[] good = snapshotOf(service);

        byte[] badMagic = good.clone();
        badMagic[0] ^= 0x01;
        byte[] badKeyLength = good.clone();
        badKeyLength[5] = 17;
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);

        assertRejected(service, badMagic, "not an AES service snapshot");
        assertRejected(service, badKeyLength, "key length 17");
        assertRejected(service, truncated, "truncated AES snapshot");
        assertRejected(service, trailing, "trailing bytes");
        assertThat(snapshotOf(service)).isEqualTo(good);
    }

    private static void assertRejected(AesCtrService service, byte[] snapshot, String reason) {
        assertThatThrownBy(() -> service.restore(new ByteArrayInputStream(snapshot)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(reason);
    }

    /** One raw AES block through the JDK's ECB mode: an independent reference for the keystream. */
    static byte[] aesBlock(byte[] key, byte[] block) throws Exception {
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return ecb.doFinal(block);
    }
}
