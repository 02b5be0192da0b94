package io.resh.examples.aes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.examples.FixedContext;
import io.resh.replica.ExecutionContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The three implementations are interchangeable: same replies, same errors, same snapshots. */
class AesCtrServiceTest {

    private static List<AesCtrService> group() {
        return List.of(new JdkAes(), new BcAesEngine(), new BcAesLight());
    }

    @Property(tries = 150)
    void shouldGiveIdenticalRepliesOnRandomKeysNoncesAndPlaintexts(
            @ForAll("keys") byte[] key,
            @ForAll("nonces") byte[] nonce,
            @ForAll @IntRange(max = 65536) int plaintextBytes,
            @ForAll long seed) throws Exception {
        byte[] plaintext = new byte[plaintextBytes];
        new SplittableRandom(seed).nextBytes(plaintext);
        byte[] expected = AesOracle.encrypt(key, nonce, plaintext);

        for (AesCtrService service : group()) {
            service.execute(AesRequests.setKey(key), FixedContext.at(1));
            assertThat(service.execute(AesRequests.encrypt(nonce, plaintext), FixedContext.at(2)))
                    .as(service.getClass().getSimpleName())
                    .isEqualTo(expected);
            assertThat(service.execute(AesRequests.decrypt(nonce, expected), FixedContext.at(3)))
                    .as(service.getClass().getSimpleName())
                    .isEqualTo(plaintext);
        }
    }

    @Provide
    Arbitrary<byte[]> keys() {
        return Arbitraries.of(16, 24, 32).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n));
    }

    @Provide
    Arbitrary<byte[]> nonces() {
        return Arbitraries.bytes().array(byte[].class).ofSize(AesRequests.NONCE_BYTES);
    }

    @Test
    void shouldWriteIdenticalSnapshotsAcrossImplementations() throws Exception {
        byte[] expected = null;
        for (AesCtrService service : group()) {
            service.execute(AesRequests.setKey(AesServiceContract.NIST_KEY_192), FixedContext.at(1));
            service.execute(AesRequests.encrypt(new byte[16], new byte[100]), FixedContext.at(2));
            byte[] snapshot = snapshotOf(service);
            if (expected == null) {
                expected = snapshot;
            }
            assertThat(snapshot).as(service.getClass().getSimpleName()).isEqualTo(expected);
        }
    }

    @Test
    void shouldRestoreASnapshotWrittenByAnotherImplementation() throws Exception {
        AesCtrService writer = new BcAesLight();
        writer.execute(AesRequests.setKey(AesServiceContract.NIST_KEY_256), FixedContext.at(1));
        byte[] snapshot = snapshotOf(writer);

        for (AesCtrService reader : List.of(new JdkAes(), new BcAesEngine())) {
            reader.restore(new ByteArrayInputStream(snapshot));
            assertThat(reader.execute(AesRequests.encrypt(AesServiceContract.NIST_COUNTER, AesServiceContract.NIST_PLAINTEXT),
                    FixedContext.at(2))).isEqualTo(AesServiceContract.NIST_CIPHERTEXT_256);
        }
    }

    /**
     * A replica calls the buffer method, with a read-only view of shared memory for a large request and a
     * direct buffer lent for the reply; tests and campaigns call the array one. Both must answer alike, well
     * formed or not, and count alike.
     */
    @Property(tries = 200)
    void shouldAnswerFromBuffersExactlyAsFromArrays(@ForAll("ops") byte op, @ForAll @IntRange(max = 70_000) int length,
                                                    @ForAll @IntRange(max = 9) int offset, @ForAll long seed) throws Exception {
        byte[] request = new byte[length];
        new SplittableRandom(seed).nextBytes(request);
        if (length > 0) {
            request[0] = op;
        }
        ByteBuffer shared = ByteBuffer.allocateDirect(offset + length);
        shared.position(offset);
        shared.put(request);
        ByteBuffer view = shared.position(offset).slice().asReadOnlyBuffer();

        List<AesCtrService> byArray = group();
        List<AesCtrService> byBuffer = group();
        for (int i = 0; i < byArray.size(); i++) {
            String name = byArray.get(i).getClass().getSimpleName();
            Object expected;
            try {
                expected = byArray.get(i).execute(request, FixedContext.at(1));
            } catch (Exception e) {
                expected = e.toString();
            }
            Lending ctx = new Lending();
            Object actual;
            try {
                ByteBuffer reply = byBuffer.get(i).execute(view.duplicate(), ctx);
                byte[] bytes = new byte[reply.remaining()];
                reply.get(bytes);
                actual = bytes;
            } catch (Exception e) {
                actual = e.toString();
            }
            assertThat(actual).as(name).isEqualTo(expected);
            assertThat(byBuffer.get(i).execute(AesRequests.served(), FixedContext.at(2)))
                    .as(name + ": requests served").isEqualTo(byArray.get(i).execute(AesRequests.served(), FixedContext.at(2)));
            if (expected instanceof byte[] && (op == 'E' || op == 'D') && length > 1 + AesRequests.NONCE_BYTES) {
                assertThat(ctx.lent).as(name + ": the ciphertext is written into the lent buffer").isEqualTo(1);
            }
        }
    }

    @Provide
    Arbitrary<Byte> ops() {
        return Arbitraries.of((byte) 'E', (byte) 'D', (byte) 'K', (byte) 'S', (byte) 'x');
    }

    /** A replica's context as far as buffers go: each reply buffer is direct, as one lent from shared memory is. */
    private static final class Lending implements ExecutionContext {
        private final ExecutionContext fixed = FixedContext.at(1);
        int lent;

        @Override
        public ByteBuffer replyBuffer(int capacity) {
            lent++;
            return ByteBuffer.allocateDirect(capacity);
        }

        @Override
        public long sequence() {
            return fixed.sequence();
        }

        @Override
        public long timeMillis() {
            return fixed.timeMillis();
        }

        @Override
        public RandomGenerator random() {
            return fixed.random();
        }

        @Override
        public int replicaIndex() {
            return 0;
        }
    }

    @Test
    void shouldAnswerMalformedRequestsWithTheSameErrorInEveryImplementation() {
        byte[] request = {'E', 1, 2, 3};
        for (AesCtrService service : group()) {
            assertThatThrownBy(() -> service.execute(request, FixedContext.at(1)))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("AES request 'E' needs a 16-byte nonce after the op byte, got 3 bytes");
        }
    }

    private static byte[] snapshotOf(AesCtrService service) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        service.snapshot(out);
        return out.toByteArray();
    }
}
