package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private ObjectNode event(String group, int n) {
        ObjectNode e = json.createObjectNode();
        e.put("group", group);
        e.put("type", "fault");
        e.put("sequence", n);
        return e;
    }

    @Test
    void shouldWriteEachEventAsOneLineAndKeepOnlyTheNewestInMemory() throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (EventJournal journal = new EventJournal(json, new RotatingFile(file, 1 << 20, 2), 3)) {
            for (int i = 1; i <= 5; i++) {
                journal.append(event(i % 2 == 0 ? "a" : "b", i));
            }

            assertThat(journal.recent(null, 10)).extracting(e -> e.get("sequence").asInt()).containsExactly(3, 4, 5);
            assertThat(journal.recent("b", 10)).extracting(e -> e.get("sequence").asInt()).containsExactly(3, 5);
            assertThat(journal.recent(null, 1)).extracting(e -> e.get("sequence").asInt()).containsExactly(5);
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

        Runnable stop = journal.follow(1, null, m -> backlog.add(m.json()), m -> live.add(m.json()));
        journal.append(event("a", 3));
        stop.run();
        journal.append(event("a", 4));

        assertThat(backlog).containsExactly("{\"group\":\"a\",\"type\":\"fault\",\"sequence\":2}");
        assertThat(live).containsExactly("{\"group\":\"a\",\"type\":\"fault\",\"sequence\":3}");
        assertThat(journal.followers()).isZero();
    }
}
