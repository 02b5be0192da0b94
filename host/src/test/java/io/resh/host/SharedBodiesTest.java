package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import io.resh.core.config.Sandbox;
import io.resh.host.testing.EchoService;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.InPlaceService;
import io.resh.host.testing.TestGroups;
import io.resh.replica.SharedBodies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Large request and reply bodies travel through a file the host and each replica map (docs/IPC.md, "Large
 * bodies"): the replies are voted exactly as if they had come through the pipes, a bit flipped in one of them
 * is masked, and a replacement replica gets a file of its own.
 */
@Tag("e2e")
class SharedBodiesTest {
    private static final int BODY = 64 * 1024;

    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();

    @Test
    void shouldCarryLargeBodiesThroughTheSharedFileAndSmallOnesThroughThePipes() throws IOException {
        ReplicaGroup group = groups.start(TestGroups.of("shared", 3, EchoService.class.getName(), groups.dir()).build(),
                List.of(events.listener()));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20; i++) {
            byte[] request = bytes(random, BODY);
            assertThat(group.call(request, Duration.ofSeconds(10))).isEqualTo(request);
        }
        // Each request to three replicas and each of their replies: 20 × 3 × 2 bodies, none through a pipe.
        // (The client has its reply once two agree: the third may still be on its way.)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(group.status().counters()).containsEntry("shared-bodies", 120L));

        byte[] small = bytes(random, SharedBodies.MIN_BODY_BYTES - 1);
        assertThat(group.call(small, Duration.ofSeconds(10))).isEqualTo(small);
        await().atMost(Duration.ofSeconds(10)).until(() -> allReplied(group, 21));
        assertThat(group.status().counters()).as("a body under the threshold goes through the pipe")
                .containsEntry("shared-bodies", 120L);
        assertThat(events.of(GroupEvent.FaultDetected.class)).isEmpty();
        assertThat(sharedFiles("shared")).as("each file is deleted once its replica mapped it").isEmpty();
    }

    @Test
    void shouldMaskABitFlippedInALargeReplyAndGiveTheReplacementAFileOfItsOwn() throws IOException {
        ReplicaGroup group = groups.start(TestGroups.of("flip", 3, EchoService.class.getName(), groups.dir()).build(),
                List.of(events.listener()));
        SplittableRandom random = new SplittableRandom(11);
        byte[] first = bytes(random, BODY);
        assertThat(group.call(first, Duration.ofSeconds(10))).isEqualTo(first);

        group.faults().inject(InjectedFault.REPLY_CORRUPTION, 1, 12_345).join();
        byte[] request = bytes(random, BODY);
        assertThat(group.call(request, Duration.ofSeconds(10))).as("the flipped bit is outvoted").isEqualTo(request);
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.of(GroupEvent.FaultDetected.class,
                f -> f.kind() == FaultKind.DIVERGENCE && f.replica() == 1).isEmpty());
        assertThat(group.status().counters().get("shared-bodies")).as("the corrupted reply came through the file too")
                .isGreaterThanOrEqualTo(12L); // more once the replacement replays

        await().atMost(Duration.ofSeconds(30)).until(() -> group.status().replicaStates().get(1).incarnation() == 2
                && group.status().replicaStates().get(1).state() == SlotState.ACTIVE);
        for (int i = 0; i < 5; i++) {
            byte[] next = bytes(random, BODY);
            assertThat(group.call(next, Duration.ofSeconds(10))).isEqualTo(next);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> allReplied(group, 7));
        // 2 requests before the replacement, the 2 it replayed, 5 after: every request and reply through a file.
        assertThat(group.status().counters().get("shared-bodies")).as("the replacement's bodies go through its own file")
                .isEqualTo(2 * 6 + 2 * 2 + 5 * 6L);
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSize(1);
        assertThat(sharedFiles("flip")).isEmpty();
    }

    /**
     * A service that reads its request from the shared file and writes its reply into it in place: the replies are
     * voted as any others, and the in-replica faults that rewrite a reply (a flipped bit, a Byzantine reply that
     * repeats the previous one, which then lies only in the file) are masked and detected.
     */
    @Test
    void shouldVoteRepliesWrittenInPlaceAndMaskFaultsInThem() {
        ReplicaGroup group = groups.start(TestGroups.of("inplace", 3, InPlaceService.class.getName(), groups.dir()).build(),
                List.of(events.listener()));
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 5; i++) {
            byte[] request = bytes(random, BODY);
            assertThat(group.call(request, Duration.ofSeconds(10))).as("a view of the file in, a lent buffer out")
                    .isEqualTo(InPlaceService.expected(request, true));
        }
        byte[] small = bytes(random, 100);
        assertThat(group.call(small, Duration.ofSeconds(10))).isEqualTo(InPlaceService.expected(small, false));
        await().atMost(Duration.ofSeconds(10)).until(() -> allReplied(group, 6));
        assertThat(group.status().counters()).containsEntry("shared-bodies", 30L);

        byte[] previous = bytes(random, BODY);
        assertThat(group.call(previous, Duration.ofSeconds(10))).isEqualTo(InPlaceService.expected(previous, true));
        group.faults().inject(InjectedFault.BYZANTINE, 2, 0).join();
        byte[] request = bytes(random, BODY);
        assertThat(group.call(request, Duration.ofSeconds(10))).as("the Byzantine reply is outvoted")
                .isEqualTo(InPlaceService.expected(request, true));
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.of(GroupEvent.FaultDetected.class).isEmpty());
        GroupEvent.FaultDetected byzantine = events.of(GroupEvent.FaultDetected.class).get(0);
        assertThat(byzantine.replica()).isEqualTo(2);
        assertThat(byzantine.details()).as("it repeated the previous reply, copied out of the file before it could be"
                + " overwritten").containsEntry("replica" + GroupEvent.FaultDetected.DIGEST,
                Digest.of(InPlaceService.expected(previous, true)).hex());

        await().atMost(Duration.ofSeconds(30)).until(() -> group.status().replicaStates().get(2).incarnation() == 2
                && group.status().replicaStates().get(2).state() == SlotState.ACTIVE);
        group.faults().inject(InjectedFault.REPLY_CORRUPTION, 1, 99_999).join();
        request = bytes(random, BODY);
        assertThat(group.call(request, Duration.ofSeconds(10))).as("the flipped bit is outvoted")
                .isEqualTo(InPlaceService.expected(request, true));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.of(GroupEvent.FaultDetected.class).size() == 2);
        GroupEvent.FaultDetected flip = events.of(GroupEvent.FaultDetected.class).get(1);
        assertThat(flip.replica()).isEqualTo(1);
        assertThat(flip.kind()).isEqualTo(FaultKind.DIVERGENCE);
        assertThat(flip.details()).containsEntry("replica" + GroupEvent.FaultDetected.BYTES, Integer.toString(BODY + 1))
                .containsEntry(GroupEvent.FaultDetected.OFFSET, "12499"); // bit 99,999 of the value: its byte 12,499
    }

    @Test
    void shouldReachTheSharedFileFromInsideTheSandbox() {
        assumeTrue(Binaries.which("bwrap").isPresent(), "needs bwrap");
        ReplicaGroup group = groups.start(TestGroups.of("sandboxed", 3, EchoService.class.getName(), groups.dir())
                .sandbox(Sandbox.BWRAP).build(), List.of(events.listener()));
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 5; i++) {
            byte[] request = bytes(random, BODY);
            assertThat(group.call(request, Duration.ofSeconds(10))).isEqualTo(request);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(group.status().counters()).containsEntry("shared-bodies", 30L));
        assertThat(events.of(GroupEvent.FaultDetected.class)).isEmpty();
    }

    private static boolean allReplied(ReplicaGroup group, long sequence) {
        return group.status().replicaStates().stream().allMatch(r -> r.repliedThrough() >= sequence);
    }

    /** The group's shared body files left in /dev/shm or in its directory. */
    private List<Path> sharedFiles(String group) throws IOException {
        List<Path> found = new java.util.ArrayList<>();
        for (Path dir : List.of(Path.of("/dev/shm"), groups.dir().resolve(group))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(p -> p.getFileName().toString().startsWith(".resh-bodies-" + group + "-")).forEach(found::add);
                }
            }
        }
        return found;
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
