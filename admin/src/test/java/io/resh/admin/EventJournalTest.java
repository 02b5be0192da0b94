package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private ObjectNode event(String group, int n) {
        return event(group, "fault", n);
    }

    private ObjectNode event(String group, String type, long n) {
        ObjectNode e = json.createObjectNode();
        e.put("group", group);
        e.put("type", type);
        e.put("sequence", n);
        return e;
    }

    private static List<String> shown(List<ObjectNode> events) {
        return events.stream().map(e -> e.get("group").asText() + " " + e.get("type").asText() + " " + e.get("sequence").asLong())
                .toList();
    }

    @Test
    void shouldWriteEachEventAsOneLineAndKeepOnlyTheNewestInMemory() throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (EventJournal journal = new EventJournal(json, new RotatingFile(file, 1 << 20, 2), 3)) {
            for (int i = 1; i <= 5; i++) {
                journal.append(event(i % 2 == 0 ? "a" : "b", i));
            }

            assertThat(journal.recent(null, null, 10)).extracting(e -> e.get("sequence").asInt()).containsExactly(3, 4, 5);
            assertThat(journal.recent("b", null, 10)).extracting(e -> e.get("sequence").asInt()).containsExactly(3, 5);
            assertThat(journal.recent(null, null, 1)).extracting(e -> e.get("sequence").asInt()).containsExactly(5);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(5);
        assertThat(json.readTree(lines.get(4)).get("sequence").asInt()).isEqualTo(5);
    }

    @Test
    void shouldGiveANewFollowerTheBacklogThenEveryLiveEventExactlyOnce() {
        EventJournal journal = new EventJournal(json, null, 100);
        journal.append(event("a", 1));
        journal.append(event("a", 2));
        List<String> backlog = new ArrayList<>();
        List<String> live = new ArrayList<>();

        Runnable stop = journal.follow(1, null, null, m -> backlog.add(m.json()), m -> live.add(m.json()));
        journal.append(event("a", 3));
        stop.run();
        journal.append(event("a", 4));

        assertThat(backlog).containsExactly("{\"group\":\"a\",\"type\":\"fault\",\"sequence\":2}");
        assertThat(live).containsExactly("{\"group\":\"a\",\"type\":\"fault\",\"sequence\":3}");
        assertThat(journal.followers()).isZero();
    }

    /**
     * Under load a group reports about 50 checkpoints a second: kept one by one they pushed a fault and its
     * recovery out of the ring of 1,000 within 20 seconds. A run of one group's checkpoints now keeps its newest.
     */
    @Test
    void shouldKeepAFaultInMemoryWhileThousandsOfCheckpointsFollowIt() throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (EventJournal journal = new EventJournal(json, new RotatingFile(file, 1 << 24, 2), 10)) {
            journal.append(event("kv", "fault", 41));
            journal.append(event("kv", "recovered", 45));
            for (long seq = 50; seq < 5_050; seq++) { // two busy groups, their checkpoints interleaved
                journal.append(event("kv", "checkpoint", seq));
                journal.append(event("aes", "checkpoint", seq));
            }

            assertThat(shown(journal.recent(null, null, 10)))
                    .containsExactly("kv fault 41", "kv recovered 45", "kv checkpoint 5049", "aes checkpoint 5049");
        }
        assertThat(Files.readAllLines(file)).as("the event log keeps every checkpoint").hasSize(2 + 10_000);
    }

    @Test
    void shouldFoldOnlyCheckpointsWithNoOtherEventOfTheirGroupBetween() {
        EventJournal journal = new EventJournal(json, null, 100);
        journal.append(event("kv", "checkpoint", 10));
        journal.append(event("kv", "checkpoint", 20));
        journal.append(event("kv", "fault", 21));
        journal.append(event("kv", "checkpoint", 30));
        journal.append(event("aes", "injected", 5)); // another group's event does not end kv's run
        journal.append(event("kv", "checkpoint", 40));

        assertThat(shown(journal.recent(null, null, 100)))
                .containsExactly("kv checkpoint 20", "kv fault 21", "aes injected 5", "kv checkpoint 40");
    }

    @Test
    void shouldListAndReplayOnlyTheTypesAskedFor() {
        EventJournal journal = new EventJournal(json, null, 100);
        journal.append(event("kv", "injected", 1));
        journal.append(event("kv", "fault", 2));
        journal.append(event("kv", "recovery-started", 2));
        journal.append(event("kv", "recovered", 2));
        journal.append(event("aes", "fault", 3));
        journal.append(event("kv", "checkpoint", 4));
        Set<String> types = Set.of("fault", "recovered");

        assertThat(shown(journal.recent(null, types, 100))).containsExactly("kv fault 2", "kv recovered 2", "aes fault 3");
        assertThat(shown(journal.recent("kv", types, 1))).as("the limit counts matching events").containsExactly("kv recovered 2");
        List<String> backlog = new ArrayList<>();
        journal.follow(2, null, types, m -> backlog.add(m.type() + " " + m.group()), m -> { }).run();
        assertThat(backlog).containsExactly("recovered kv", "fault aes");
    }
}
