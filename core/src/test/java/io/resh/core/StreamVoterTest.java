package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class StreamVoterTest {

    // ---------------------------------------------------------------- examples

    @Test
    void shouldReleaseAPrefixAsSoonAsTwoOfThreeAgree() {
        StreamVoter voter = new StreamVoter(new Quorum(3));

        assertThat(append(voter, 0, "hello")).isEmpty();
        assertThat(append(voter, 1, "hel")).isEqualTo("hel");
        assertThat(append(voter, 1, "lo world")).isEqualTo("lo");
        assertThat(voter.released()).isEqualTo(5);
        assertThat(append(voter, 2, "hello world")).isEqualTo(" world");
    }

    @Test
    void shouldReportTheMinorityWithOffsetAndSnippet() {
        StreamVoter voter = new StreamVoter(new Quorum(3));

        String out = append(voter, 1, "good\nbad\n");
        out += append(voter, 0, "good\ngood\n");
        assertThat(out).isEqualTo("good\n");
        out += append(voter, 2, "good\ngood\n");
        List<StreamVoter.Divergence> divergences = voter.takeDivergences();

        assertThat(out).isEqualTo("good\ngood\n");
        assertThat(divergences).hasSize(1);
        StreamVoter.Divergence d = divergences.get(0);
        assertThat(d.replica()).isEqualTo(1);
        assertThat(d.offset()).isEqualTo(5);
        assertThat(d.expectedHex()).isEqualTo("676f6f640a");
        assertThat(d.actualHex()).isEqualTo("6261640a");
        assertThat(d.description()).contains("replica 1", "byte 5", "\"good\\n\"", "\"bad\\n\"");
        assertThat(voter.isFaulty(1)).isTrue();
        assertThat(voter.takeDivergences()).isEmpty();
    }

    @Test
    void shouldShowAsExpectedOnlyBytesAMajorityAgreedOn() {
        StreamVoter voter = new StreamVoter(new Quorum(3));

        String out = append(voter, 0, "363277133");
        out += append(voter, 1, "3Q");
        out += append(voter, 2, "36zz");
        assertThat(out).isEqualTo("36");
        List<StreamVoter.Divergence> divergences = voter.takeDivergences();

        assertThat(divergences).extracting(StreamVoter.Divergence::replica).contains(1);
        StreamVoter.Divergence d = divergences.stream().filter(x -> x.replica() == 1).findFirst().orElseThrow();
        assertThat(d.offset()).isEqualTo(1);
        assertThat(d.expectedHex()).as("only '6' was voted; '3277133' is replica 0's alone").isEqualTo("36");
        assertThat(d.actualHex()).isEqualTo("51");
    }

    @Test
    void shouldCompareALateReplicaAgainstTheReleasedBytes() {
        StreamVoter voter = new StreamVoter(new Quorum(3));
        append(voter, 0, "abcdef");
        append(voter, 1, "abcdef");

        append(voter, 2, "abcXef");

        assertThat(voter.takeDivergences()).singleElement()
                .satisfies(d -> {
                    assertThat(d.replica()).isEqualTo(2);
                    assertThat(d.offset()).isEqualTo(3);
                    assertThat(d.expectedHex()).isEqualTo("646566");
                });
    }

    @Test
    void shouldFlagAReplicaThatEndsEarly() {
        StreamVoter voter = new StreamVoter(new Quorum(3));
        append(voter, 0, "abc");
        voter.end(0);
        append(voter, 1, "abcdef");
        append(voter, 2, "abcdef");

        assertThat(voter.takeDivergences()).singleElement()
                .satisfies(d -> {
                    assertThat(d.replica()).isEqualTo(0);
                    assertThat(d.offset()).isEqualTo(3);
                    assertThat(d.actualHex()).isEmpty();
                    assertThat(d.description()).contains("ended early", "got EOF");
                });
    }

    @Test
    void shouldFlagAReplicaThatContinuesPastTheAgreedEnd() {
        StreamVoter voter = new StreamVoter(new Quorum(3));
        append(voter, 0, "abc");
        append(voter, 1, "abc");
        voter.end(0);
        voter.end(1);

        assertThat(voter.endAgreed()).isTrue();
        append(voter, 2, "abcd");

        assertThat(voter.takeDivergences()).singleElement()
                .satisfies(d -> {
                    assertThat(d.replica()).isEqualTo(2);
                    assertThat(d.offset()).isEqualTo(3);
                    assertThat(d.actualHex()).isEqualTo("64");
                    assertThat(d.description()).contains("continues past the agreed end");
                });
    }

    @Test
    void shouldBeUndecidableWhenDmrStreamsDiffer() {
        StreamVoter voter = new StreamVoter(new Quorum(2));
        assertThat(append(voter, 0, "same ")).isEmpty();
        assertThat(append(voter, 1, "same good")).isEqualTo("same ");

        append(voter, 0, "bad");

        assertThat(voter.undecidable()).isTrue();
        assertThat(voter.released()).isEqualTo(5);
        assertThat(voter.takeDivergences()).singleElement()
                .satisfies(d -> {
                    assertThat(d.offset()).isEqualTo(5);
                    assertThat(d.description()).contains("no majority");
                });
        assertThat(append(voter, 0, " more")).isEmpty();
    }

    @Test
    void shouldBeUndecidableWhenAllThreeDiffer() {
        StreamVoter voter = new StreamVoter(new Quorum(3));
        append(voter, 0, "a");
        append(voter, 1, "b");
        assertThat(voter.undecidable()).isFalse();

        append(voter, 2, "c");

        assertThat(voter.undecidable()).isTrue();
        assertThat(voter.takeDivergences()).extracting(StreamVoter.Divergence::replica).containsExactly(1, 2);
    }

    @Test
    void shouldStillDecideWithTwoOfThreeAfterOneIsExcluded() {
        StreamVoter voter = new StreamVoter(new Quorum(3));
        append(voter, 0, "x");
        voter.exclude(2);
        append(voter, 1, "x");
        voter.end(0);
        voter.end(1);

        assertThat(voter.endAgreed()).isTrue();
        assertThat(voter.takeDivergences()).isEmpty();
    }

    @Test
    void shouldBeUndecidableWhenADmrReplicaIsExcluded() {
        StreamVoter voter = new StreamVoter(new Quorum(2));
        append(voter, 0, "x");

        voter.exclude(1);

        assertThat(voter.undecidable()).isTrue();
    }

    @Test
    void shouldRejectBytesAfterTheEnd() {
        StreamVoter voter = new StreamVoter(new Quorum(3));
        voter.end(0);

        assertThatThrownBy(() -> append(voter, 0, "x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replica 0");
    }

    @Test
    void shouldHoldOnlyTheLagNotTheStream() {
        StreamVoter voter = new StreamVoter(new Quorum(3));
        byte[] chunk = new byte[8192];
        long total = 0;
        Random random = new Random(7);
        // Replica 2 trails the others by up to three chunks; 20 MB pass through.
        for (int i = 0; i < 2560; i++) {
            random.nextBytes(chunk);
            total += voter.append(0, chunk, 0, chunk.length).length;
            total += voter.append(1, chunk, 0, chunk.length).length;
            lagged.addLast(chunk.clone());
            if (lagged.size() > 3) {
                byte[] late = lagged.removeFirst();
                total += voter.append(2, late, 0, late.length).length;
            }
        }

        assertThat(total).isEqualTo(2560L * 8192);
        assertThat(voter.retainedHighWater()).isLessThan(64 * 1024);
    }

    private final Deque<byte[]> lagged = new ArrayDeque<>();

    // ---------------------------------------------------------------- properties

    enum Fault { FLIP, TRUNCATE, EXTEND, REPLACE_TAIL, CRASH }

    /**
     * Random correct streams, at most f faulty replicas (flipped byte, truncation, extension, garbage
     * tail, crash; sometimes all faulty replicas produce the same wrong stream), random chunking and
     * random interleaving of every replica's chunks.
     */
    @Property(tries = 400)
    void shouldReleaseOnlyTheCorrectStreamAndReportEveryDepartingReplica(
            @ForAll @IntRange(min = 1, max = 7) int n, @ForAll Random random) {
        Quorum quorum = new Quorum(n);
        byte[] correct = stream(random);
        int f = quorum.faultsMasked();
        int faults = f == 0 ? 0 : random.nextInt(f + 1);
        boolean colluding = random.nextBoolean();
        byte[][] streams = new byte[n][];
        boolean[] crashes = new boolean[n];
        Map<Integer, Long> departures = new HashMap<>();
        List<Integer> order = shuffled(n, random);
        byte[] shared = null;
        Fault sharedFault = null;
        for (int i = 0; i < n; i++) {
            int r = order.get(i);
            if (i >= faults) {
                streams[r] = correct;
                continue;
            }
            if (shared == null || !colluding) {
                sharedFault = Fault.values()[random.nextInt(Fault.values().length)];
                shared = corrupt(correct, sharedFault, random);
            }
            streams[r] = shared;
            crashes[r] = sharedFault == Fault.CRASH;
            int d = Arrays.mismatch(shared, correct);
            if (!crashes[r] && d >= 0) {
                departures.put(r, (long) d);
            }
        }

        StreamVoter voter = new StreamVoter(quorum);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<Integer, Long> reported = new HashMap<>();
        int correctEnded = 0;
        for (Event e : interleave(streams, crashes, random)) {
            byte[] released;
            if (e.end) {
                if (crashes[e.replica]) {
                    voter.exclude(e.replica);
                    released = new byte[0];
                } else {
                    released = voter.end(e.replica);
                    if (streams[e.replica] == correct) {
                        correctEnded++;
                    }
                }
            } else {
                released = voter.append(e.replica, streams[e.replica], e.off, e.len);
            }
            out.writeBytes(released);
            for (StreamVoter.Divergence d : voter.takeDivergences()) {
                assertThat(reported.put(d.replica(), d.offset())).as("reported once: " + d).isNull();
            }
            byte[] soFar = out.toByteArray();
            assertThat(soFar.length).isEqualTo(voter.released());
            assertThat(Arrays.equals(soFar, 0, soFar.length, correct, 0, Math.min(soFar.length, correct.length))
                    && soFar.length <= correct.length).as("released bytes are a prefix of the correct stream").isTrue();
            assertThat(voter.undecidable()).isFalse();
            if (correctEnded >= quorum.agreementNeeded()) {
                assertThat(soFar).isEqualTo(correct);
                assertThat(voter.endAgreed()).isTrue();
            }
        }
        assertThat(voter.endAgreed()).isTrue();
        assertThat(reported).isEqualTo(departures);
    }

    /** DMR: equal streams are released entirely; any difference makes the pair undecidable. */
    @Property(tries = 300)
    void shouldReleaseEqualDmrStreamsAndStopAtAnyMismatch(@ForAll Random random) {
        byte[] a = stream(random);
        byte[] b = random.nextInt(3) == 0 ? a : corrupt(a, Fault.values()[random.nextInt(4)], random);
        int mismatch = Arrays.mismatch(a, b);
        byte[][] streams = random.nextBoolean() ? new byte[][] {a, b} : new byte[][] {b, a};
        StreamVoter voter = new StreamVoter(new Quorum(2));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<StreamVoter.Divergence> divergences = new ArrayList<>();

        for (Event e : interleave(streams, new boolean[2], random)) {
            out.writeBytes(e.end ? voter.end(e.replica) : voter.append(e.replica, streams[e.replica], e.off, e.len));
            divergences.addAll(voter.takeDivergences());
        }

        byte[] released = out.toByteArray();
        if (mismatch < 0) {
            assertThat(released).isEqualTo(a);
            assertThat(voter.endAgreed()).isTrue();
            assertThat(divergences).isEmpty();
        } else {
            assertThat(voter.undecidable()).isTrue();
            assertThat(voter.endAgreed()).isFalse();
            assertThat(released.length).isLessThanOrEqualTo(mismatch);
            assertThat(released).isEqualTo(Arrays.copyOf(a, released.length));
            assertThat(divergences).singleElement()
                    .satisfies(d -> assertThat(d.offset()).isEqualTo(mismatch));
        }
    }

    // ---------------------------------------------------------------- support

    private record Event(int replica, int off, int len, boolean end) {
    }

    private static String append(StreamVoter voter, int replica, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new String(voter.append(replica, bytes, 0, bytes.length), StandardCharsets.UTF_8);
    }

    /** A stream over a small alphabet, so that streams often share long, repetitive prefixes. */
    private static byte[] stream(Random random) {
        int alphabet = 1 + random.nextInt(4);
        byte[] s = new byte[random.nextInt(300)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) ('a' + random.nextInt(alphabet));
        }
        return s;
    }

    private static byte[] corrupt(byte[] correct, Fault fault, Random random) {
        int at = correct.length == 0 ? 0 : random.nextInt(correct.length);
        switch (fault) {
            case FLIP:
                if (correct.length == 0) {
                    return new byte[] {'z'};
                }
                byte[] flipped = correct.clone();
                flipped[at] ^= (byte) (1 + random.nextInt(255));
                return flipped;
            case TRUNCATE:
            case CRASH:
                return Arrays.copyOf(correct, at);
            case EXTEND:
                byte[] longer = Arrays.copyOf(correct, correct.length + 1 + random.nextInt(20));
                for (int i = correct.length; i < longer.length; i++) {
                    longer[i] = (byte) ('a' + random.nextInt(3));
                }
                return longer;
            default:
                byte[] tail = Arrays.copyOf(correct, at + random.nextInt(40));
                for (int i = at; i < tail.length; i++) {
                    tail[i] = (byte) ('a' + random.nextInt(3));
                }
                return tail;
        }
    }

    /** Every replica's stream cut into random chunks then an end, merged in a random order. */
    private static List<Event> interleave(byte[][] streams, boolean[] crashes, Random random) {
        List<Deque<Event>> perReplica = new ArrayList<>();
        for (int r = 0; r < streams.length; r++) {
            Deque<Event> events = new ArrayDeque<>();
            int max = 1 + random.nextInt(64);
            for (int off = 0; off < streams[r].length; ) {
                int len = Math.min(streams[r].length - off, 1 + random.nextInt(max));
                events.add(new Event(r, off, len, false));
                off += len;
            }
            events.add(new Event(r, 0, 0, true));
            perReplica.add(events);
        }
        List<Event> merged = new ArrayList<>();
        List<Deque<Event>> open = new ArrayList<>(perReplica);
        while (!open.isEmpty()) {
            int i = random.nextInt(open.size());
            merged.add(open.get(i).removeFirst());
            if (open.get(i).isEmpty()) {
                open.remove(i);
            }
        }
        return merged;
    }

    private static List<Integer> shuffled(int n, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        return order;
    }
}
