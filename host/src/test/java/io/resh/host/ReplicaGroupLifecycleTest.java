package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Listeners of replies and events, and what a closed group answers: a real TMR group of replica processes. */
@Tag("e2e")
class ReplicaGroupLifecycleTest {
    /** Far below the 30 s a call used to wait for a loop that was gone. */
    private static final Duration AT_ONCE = Duration.ofSeconds(10);

    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private ReplicaGroup group;

    private record Reply(long sequence, long latencyNanos, boolean ok) {
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldOrderABatchAsListedWithNothingInBetweenAndFailItWhenClosed() throws Exception {
        group = groups.start(TestGroups.counter("batch", 3, groups.dir()).build());
        List<byte[]> batch = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            batch.add(utf8("add:" + i));
        }
        CompletableFuture<byte[]> before = group.submit(utf8("add:1000"));
        List<CompletableFuture<byte[]>> replies = group.submitAll(batch);
        CompletableFuture<byte[]> after = group.submit(utf8("get"));

        assertThat(new String(before.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo("1000");
        long total = 1000;
        for (int i = 0; i < replies.size(); i++) {
            total += i + 1;
            assertThat(new String(replies.get(i).get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                    .as("reply to the batch's request %d", i).isEqualTo(Long.toString(total));
        }
        assertThat(new String(after.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo(Long.toString(total));
        assertThat(group.submitAll(List.of())).isEmpty();

        group.close();
        List<CompletableFuture<byte[]>> late = group.submitAll(List.of(utf8("add:1"), utf8("get")));
        assertThat(late).hasSize(2).allSatisfy(f -> assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(UnavailableException.class));
    }

    @Test
    void shouldTellReplyListenersEveryReleasedReplyWithItsLatencyUntilRemoved() throws Exception {
        group = groups.start(TestGroups.counter("replies", 3, groups.dir()).build());
        List<Reply> seen = new CopyOnWriteArrayList<>();
        ReplyListener listener = (seq, latency, ok) -> seen.add(new Reply(seq, latency, ok));
        group.addReplyListener(listener);

        List<CompletableFuture<byte[]>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(group.submit(utf8(i == 7 ? "fail" : "add:1")));
        }
        for (CompletableFuture<byte[]> f : sent) {
            catchThrowable(() -> f.get(20, TimeUnit.SECONDS)); // #8 is a voted service error
        }

        assertThat(seen).extracting(Reply::sequence).containsExactlyInAnyOrderElementsOf(
                LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(seen).allSatisfy(r -> assertThat(r.latencyNanos()).isPositive());
        assertThat(seen).filteredOn(r -> !r.ok()).extracting(Reply::sequence).containsExactly(8L);
        assertThatThrownBy(() -> sent.get(7).get()).hasCauseInstanceOf(ServiceErrorException.class);

        group.removeReplyListener(listener);
        group.call(utf8("add:1"), Duration.ofSeconds(10));

        assertThat(seen).hasSize(20);
    }

    @Test
    void shouldDropAReplyListenerThatThrowsAndKeepAnsweringClients() {
        group = groups.start(TestGroups.counter("throwing", 3, groups.dir()).build());
        List<Long> calls = new CopyOnWriteArrayList<>();
        group.addReplyListener((seq, latency, ok) -> {
            calls.add(seq);
            throw new IllegalStateException("listener bug");
        });

        byte[] first = group.call(utf8("add:1"), Duration.ofSeconds(10));
        byte[] second = group.call(utf8("add:1"), Duration.ofSeconds(10));

        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("1");
        assertThat(new String(second, StandardCharsets.UTF_8)).isEqualTo("2");
        assertThat(calls).hasSize(1);
    }

    @Test
    void shouldStopDeliveringEventsToARemovedListener() throws Exception {
        group = groups.start(TestGroups.counter("unlisten", 3, groups.dir()).build());
        List<GroupEvent> kept = new CopyOnWriteArrayList<>();
        List<GroupEvent> removed = new CopyOnWriteArrayList<>();
        Consumer<GroupEvent> gone = removed::add;
        group.addListener(kept::add);
        group.addListener(gone);

        group.removeListener(gone);
        group.faults().crash(1).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> kept.stream()
                .anyMatch(e -> e instanceof GroupEvent.FaultDetected f && f.kind() == FaultKind.CRASH));
        assertThat(removed).isEmpty();
    }

    @Test
    void shouldFailEveryCallAtOnceAfterClose() {
        group = groups.start(TestGroups.counter("closed", 3, groups.dir()).build());
        group.call(utf8("add:1"), Duration.ofSeconds(10));

        group.close();

        assertTimeoutPreemptively(AT_ONCE, () -> {
            assertThatThrownBy(group::status).isInstanceOf(UnavailableException.class).hasMessage("group closed is closed");
            assertThatThrownBy(() -> group.restart(0)).isInstanceOf(UnavailableException.class).hasMessageContaining("is closed");
            assertThatThrownBy(group::stableCheckpoint).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> group.submit(utf8("add:1")).get()).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UnavailableException.class).hasMessageContaining("is closed");
        });
    }

    @Test
    void shouldAnswerOrRefuseEveryStatusCallRacingWithClose() throws Exception {
        group = groups.start(TestGroups.counter("racing", 3, groups.dir()).build());
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                for (int i = 0; i < 10_000; i++) {
                    try {
                        group.status();
                    } catch (UnavailableException e) {
                        return e.getMessage();
                    }
                }
                return "never refused";
            }));
        }

        group.close();

        assertTimeoutPreemptively(AT_ONCE, () -> {
            for (CompletableFuture<Object> c : calls) {
                assertThat(c.get()).isIn("group racing is closed", "never refused");
            }
        });
    }
}
