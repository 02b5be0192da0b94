package io.resh.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.examples.FixedContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KvStoreTest {

    private KvStore store;
    private long sequence;

    @BeforeEach
    void newStore() {
        store = new KvStore();
        sequence = 0;
    }

    private KvReply call(byte[] request) {
        return KvRequests.decodeReply(store.execute(request, FixedContext.at(++sequence)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- every op -------------------------------------------------------------------------------

    @Test
    void shouldSetAndGetAValue() {
        assertThat(call(KvRequests.set("greeting", "hello"))).isEqualTo(KvReply.OK);
        assertThat(call(KvRequests.get("greeting"))).isEqualTo(new KvReply.Value(utf8("hello")));
        assertThat(call(KvRequests.set("greeting", "bye"))).isEqualTo(KvReply.OK);
        assertThat(((KvReply.Value) call(KvRequests.get("greeting"))).utf8()).isEqualTo("bye");
    }

    @Test
    void shouldKeepItsOwnCopyOfAKeyWhateverHappensToTheRequestLater() {
        byte[] set = KvRequests.set("greeting", "hello");
        call(set);
        java.util.Arrays.fill(set, (byte) 'x'); // a caller reusing its buffer must not rename the stored key
        assertThat(call(KvRequests.get("greeting"))).isEqualTo(new KvReply.Value(utf8("hello")));
        assertThat(call(KvRequests.size())).isEqualTo(new KvReply.Int(1));
    }

    @Test
    void shouldStoreBinaryValuesAndUnicodeKeysExactly() {
        byte[] binary = {0, (byte) 0xFF, '\n', 0x7F};
        call(KvRequests.set("ключ🔑", binary));
        call(KvRequests.set("", new byte[0]));
        assertThat(call(KvRequests.get("ключ🔑"))).isEqualTo(new KvReply.Value(binary));
        assertThat(call(KvRequests.get(""))).isEqualTo(new KvReply.Value(new byte[0]));
    }

    @Test
    void shouldAnswerNilForAnAbsentKey() {
        assertThat(call(KvRequests.get("missing"))).isEqualTo(KvReply.NIL);
    }

    @Test
    void shouldDeleteAndSayWhetherAnythingWasRemoved() {
        call(KvRequests.set("k", "v"));
        assertThat(call(KvRequests.del("k"))).isEqualTo(new KvReply.Int(1));
        assertThat(call(KvRequests.del("k"))).isEqualTo(new KvReply.Int(0));
        assertThat(call(KvRequests.get("k"))).isEqualTo(KvReply.NIL);
    }

    @Test
    void shouldIncrementFromZeroAndKeepTheCounterReadableAsText() {
        assertThat(call(KvRequests.incr("hits"))).isEqualTo(new KvReply.Int(1));
        assertThat(call(KvRequests.incrBy("hits", 41))).isEqualTo(new KvReply.Int(42));
        assertThat(call(KvRequests.incrBy("hits", -50))).isEqualTo(new KvReply.Int(-8));
        assertThat(call(KvRequests.get("hits"))).isEqualTo(new KvReply.Value(utf8("-8")));
        call(KvRequests.set("preset", "100"));
        assertThat(call(KvRequests.incr("preset"))).isEqualTo(new KvReply.Int(101));
    }

    @Test
    void shouldRefuseToIncrementANonNumberAndKeepTheValue() {
        for (String notANumber : new String[] {"abc", "", "+5", " 5", "-", "1e3", "99999999999999999999"}) {
            call(KvRequests.set("n", notANumber));
            assertThatThrownBy(() -> call(KvRequests.incr("n")))
                    .as("value '%s'", notANumber)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("KV INCR 'n': the value is not a decimal 64-bit integer");
            assertThat(call(KvRequests.get("n"))).isEqualTo(new KvReply.Value(utf8(notANumber)));
        }
    }

    @Test
    void shouldRefuseAnIncrementThatOverflows() {
        call(KvRequests.set("big", Long.toString(Long.MAX_VALUE)));
        assertThatThrownBy(() -> call(KvRequests.incr("big")))
                .hasMessage("KV INCR 'big': 9223372036854775807 + 1 overflows a signed 64-bit integer");
        assertThat(call(KvRequests.incrBy("big", -1))).isEqualTo(new KvReply.Int(Long.MAX_VALUE - 1));
    }

    @Test
    void shouldCompareAndSwapOnlyWhenTheValueMatches() {
        call(KvRequests.set("lock", "free"));
        assertThat(call(KvRequests.cas("lock", utf8("taken"), utf8("mine")))).isEqualTo(new KvReply.Int(0));
        assertThat(call(KvRequests.get("lock"))).isEqualTo(new KvReply.Value(utf8("free")));
        assertThat(call(KvRequests.cas("lock", utf8("free"), utf8("mine")))).isEqualTo(new KvReply.Int(1));
        assertThat(call(KvRequests.get("lock"))).isEqualTo(new KvReply.Value(utf8("mine")));
    }

    @Test
    void shouldCreateWithCasOnlyWhenTheKeyIsAbsent() {
        assertThat(call(KvRequests.cas("once", null, utf8("first")))).isEqualTo(new KvReply.Int(1));
        assertThat(call(KvRequests.cas("once", null, utf8("second")))).isEqualTo(new KvReply.Int(0));
        assertThat(call(KvRequests.cas("absent", utf8(""), utf8("x")))).isEqualTo(new KvReply.Int(0));
        assertThat(call(KvRequests.get("once"))).isEqualTo(new KvReply.Value(utf8("first")));
        assertThat(call(KvRequests.get("absent"))).isEqualTo(KvReply.NIL);
    }

    @Test
    void shouldCountKeys() {
        assertThat(call(KvRequests.size())).isEqualTo(new KvReply.Int(0));
        call(KvRequests.set("a", "1"));
        call(KvRequests.set("b", "2"));
        call(KvRequests.set("a", "3"));
        assertThat(call(KvRequests.size())).isEqualTo(new KvReply.Int(2));
    }

    @Test
    void shouldStampWritesWithTheHostsTimeNotTheLocalClock() {
        call(KvRequests.set("doc", "v1"));                       // request 1
        long writtenAt = FixedContext.at(1).timeMillis();
        assertThat(call(KvRequests.mtime("doc"))).isEqualTo(new KvReply.Int(writtenAt));
        assertThat(call(KvRequests.get("doc"))).isEqualTo(new KvReply.Value(utf8("v1")));
        assertThat(call(KvRequests.mtime("doc"))).as("reads don't stamp").isEqualTo(new KvReply.Int(writtenAt));

        long touchedAt = FixedContext.at(5).timeMillis();
        assertThat(call(KvRequests.touch("doc"))).isEqualTo(new KvReply.Int(touchedAt)); // request 5
        assertThat(call(KvRequests.mtime("doc"))).isEqualTo(new KvReply.Int(touchedAt));
        assertThat(call(KvRequests.get("doc"))).as("touch keeps the value").isEqualTo(new KvReply.Value(utf8("v1")));
    }

    @Test
    void shouldAnswerNilWhenTouchingOrTimingAnAbsentKey() {
        assertThat(call(KvRequests.touch("ghost"))).isEqualTo(KvReply.NIL);
        assertThat(call(KvRequests.mtime("ghost"))).isEqualTo(KvReply.NIL);
        assertThat(call(KvRequests.size())).isEqualTo(new KvReply.Int(0));
    }

    @Test
    void shouldRejectAMalformedRequestWithoutChangingState() throws IOException {
        call(KvRequests.set("k", "v"));
        byte[] before = snapshotOf(store);
        byte[] truncated = KvRequests.set("k", "other");
        byte[] cut = Arrays.copyOf(truncated, truncated.length - 2);
        assertThatThrownBy(() -> call(cut))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("KV request SET: value length 5 at byte 4 exceeds the 3 bytes left");
        assertThat(snapshotOf(store)).isEqualTo(before);
    }

    @Test
    void shouldKeepErrorMessagesOnOneLineWhateverTheKey() {
        call(KvRequests.set("line1\nline2", "x"));
        assertThatThrownBy(() -> call(KvRequests.incr("line1\nline2")))
                .hasMessage("KV INCR 'line1?line2': the value is not a decimal 64-bit integer");
    }

    // ---- snapshots ------------------------------------------------------------------------------

    @Test
    void shouldRestoreASnapshotIntoAFreshReplica() throws IOException {
        call(KvRequests.set("b", "2"));
        call(KvRequests.set("a", "1"));
        call(KvRequests.incr("c"));
        byte[] snapshot = snapshotOf(store);

        KvStore recovered = new KvStore();
        recovered.restore(new ByteArrayInputStream(snapshot));

        assertThat(snapshotOf(recovered)).isEqualTo(snapshot);
        KvStore original = store;
        store = recovered;
        assertThat(call(KvRequests.get("a"))).isEqualTo(new KvReply.Value(utf8("1")));
        assertThat(call(KvRequests.mtime("c"))).isEqualTo(new KvReply.Int(FixedContext.at(3).timeMillis()));
        assertThat(call(KvRequests.size())).isEqualTo(new KvReply.Int(3));
        assertThat(original).isNotSameAs(recovered);
    }

    @Test
    void shouldWriteTheSameBytesWhateverTheInsertionOrder() throws IOException {
        KvStore forward = new KvStore();
        KvStore backward = new KvStore();
        String[] keys = {"alpha", "beta", "gamma", "delta", "é", "Z", ""};
        for (int i = 0; i < keys.length; i++) {
            forward.execute(KvRequests.set(keys[i], keys[i]), FixedContext.at(1));
            backward.execute(KvRequests.set(keys[keys.length - 1 - i], keys[keys.length - 1 - i]), FixedContext.at(1));
        }
        assertThat(snapshotOf(forward)).isEqualTo(snapshotOf(backward)).isEqualTo(snapshotOf(forward));
    }

    @Test
    void shouldRejectACorruptSnapshotAndKeepItsState() throws IOException {
        call(KvRequests.set("keep", "me"));
        byte[] before = snapshotOf(store);
        KvStore donor = new KvStore();
        donor.execute(KvRequests.set("other", "state"), FixedContext.at(1));
        byte[] corrupt = snapshotOf(donor);
        corrupt[12] ^= 0x10;

        assertThatThrownBy(() -> store.restore(new ByteArrayInputStream(corrupt)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("corrupt KV snapshot: CRC-32 mismatch");
        assertThat(snapshotOf(store)).isEqualTo(before);
    }

    // ---- determinism properties -----------------------------------------------------------------

    /** What a request produced: the reply bytes, or the voted error (class and message). */
    private static String outcome(KvStore store, byte[] request, long sequence) {
        try {
            return "reply " + HexFormat.of().formatHex(store.execute(request, FixedContext.at(sequence)));
        } catch (RuntimeException e) {
            return "error " + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Property(tries = 200)
    void shouldGiveTwoReplicasEqualRepliesAndSnapshots(@ForAll @Size(max = 80) List<@From("requests") byte[]> requests)
            throws IOException {
        KvStore first = new KvStore();
        KvStore second = new KvStore();
        for (int i = 0; i < requests.size(); i++) {
            assertThat(outcome(second, requests.get(i), i + 1)).isEqualTo(outcome(first, requests.get(i), i + 1));
        }
        assertThat(snapshotOf(second)).isEqualTo(snapshotOf(first));
    }

    /** The store keeps its key order between snapshots; every snapshot must still be what a fresh store writes. */
    @Property(tries = 100)
    void shouldWriteEverySnapshotAsAStoreThatNeverSnapshottedWould(
            @ForAll @Size(max = 60) List<@From("requests") byte[]> requests) throws IOException {
        KvStore snapshotted = new KvStore();
        for (int i = 0; i < requests.size(); i++) {
            outcome(snapshotted, requests.get(i), i + 1);
            KvStore fresh = new KvStore();
            for (int j = 0; j <= i; j++) {
                outcome(fresh, requests.get(j), j + 1);
            }
            assertThat(snapshotOf(snapshotted)).as("after request %d", i + 1).isEqualTo(snapshotOf(fresh));
        }
    }

    @Test
    void shouldWriteTheRestoredStateAfterARestore() throws IOException {
        call(KvRequests.set("only-here", "x"));
        snapshotOf(store); // keeps this store's key order
        KvStore donor = new KvStore();
        donor.execute(KvRequests.set("donor", "y"), FixedContext.at(1));
        byte[] donated = snapshotOf(donor);

        store.restore(new ByteArrayInputStream(donated));

        assertThat(snapshotOf(store)).isEqualTo(donated);
    }

    @Property(tries = 200)
    void shouldReachTheSameStateFromASnapshotPlusReplay(
            @ForAll @Size(max = 80) List<@From("requests") byte[]> requests, @ForAll long cutSeed) throws IOException {
        int cut = requests.isEmpty() ? 0 : (int) Math.floorMod(cutSeed, (long) requests.size() + 1);
        KvStore uninterrupted = new KvStore();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            expected.add(outcome(uninterrupted, requests.get(i), i + 1));
        }

        KvStore crashed = new KvStore();
        for (int i = 0; i < cut; i++) {
            outcome(crashed, requests.get(i), i + 1);
        }
        KvStore recovered = new KvStore();
        recovered.restore(new ByteArrayInputStream(snapshotOf(crashed)));
        for (int i = cut; i < requests.size(); i++) {
            assertThat(outcome(recovered, requests.get(i), i + 1)).isEqualTo(expected.get(i));
        }
        assertThat(snapshotOf(recovered)).isEqualTo(snapshotOf(uninterrupted));
    }

    @Provide
    Arbitrary<byte[]> requests() {
        Arbitrary<String> keys = Arbitraries.of("a", "b", "counter", "ключ", "");
        Arbitrary<byte[]> values = Arbitraries.oneOf(
                Arbitraries.of("0", "7", "-3", "x", "").map(KvStoreTest::utf8),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(12));
        Arbitrary<byte[]> malformed = Arbitraries.bytes().array(byte[].class).ofMaxSize(10);
        return Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(keys, values).as(KvRequests::set)),
                Tuple.of(3, keys.map(KvRequests::get)),
                Tuple.of(1, keys.map(KvRequests::del)),
                Tuple.of(3, Combinators.combine(keys, Arbitraries.longs().between(-5, 5))
                        .as(KvRequests::incrBy)),
                Tuple.of(2, Combinators.combine(keys, values.injectNull(0.3), values)
                        .as(KvRequests::cas)),
                Tuple.of(1, Arbitraries.just(KvRequests.size())),
                Tuple.of(1, keys.map(KvRequests::touch)),
                Tuple.of(1, keys.map(KvRequests::mtime)),
                Tuple.of(1, malformed));
    }

    static byte[] snapshotOf(KvStore store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot(out);
        return out.toByteArray();
    }
}
