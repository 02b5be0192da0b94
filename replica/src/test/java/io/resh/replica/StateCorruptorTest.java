package io.resh.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StateCorruptorTest {
    static final class Account {
        long balance = 100;
        int[] history = {1, 2, 3, 4};
    }

    static final class Bank {
        final TreeMap<String, byte[]> blobs = new TreeMap<>();
        final Account account = new Account();
    }

    @Test
    void shouldFlipExactlyOneBitOfApplicationState() {
        Bank bank = new Bank();
        bank.blobs.put("a", new byte[64]);
        long before = bank.account.balance;
        int[] historyBefore = bank.account.history.clone();
        byte[] blobBefore = bank.blobs.get("a").clone();
        String what = StateCorruptor.flipRandomBit(bank, 12345);
        assertThat(what).contains("bit");
        int changedBits = Long.bitCount(before ^ bank.account.balance);
        for (int i = 0; i < historyBefore.length; i++) {
            changedBits += Integer.bitCount(historyBefore[i] ^ bank.account.history[i]);
        }
        for (int i = 0; i < blobBefore.length; i++) {
            changedBits += Integer.bitCount((blobBefore[i] ^ bank.blobs.get("a")[i]) & 0xff);
        }
        // JDK strings (the key "a") may also hold the flip; otherwise exactly one bit changed in our data.
        assertThat(changedBits).isLessThanOrEqualTo(1);
    }

    @Test
    void shouldBeReproducibleForTheSameSeed() {
        Bank a = new Bank();
        Bank b = new Bank();
        a.blobs.put("k", new byte[32]);
        b.blobs.put("k", new byte[32]);
        String first = StateCorruptor.flipRandomBit(a, 99);
        String second = StateCorruptor.flipRandomBit(b, 99);
        assertThat(first).isEqualTo(second);
        assertThat(Arrays.equals(a.blobs.get("k"), b.blobs.get("k"))).isTrue();
        assertThat(a.account.balance).isEqualTo(b.account.balance);
    }

    @Test
    void shouldSaySoWhenThereIsNothingToFlip() {
        assertThat(StateCorruptor.flipRandomBit(new Object(), 1)).startsWith("no primitive state");
    }
}
