package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code resh cluster status} compares what the hosts say of themselves. */
class ClusterTableTest {
    private static final String KV = "service io.resh.examples.kv.KvStore, 3 replicas, maxRequestBytes 1048576";

    private static ClusterTable.Answer host(String id, String settings) {
        ObjectNode s = AdminClient.json().createObjectNode().put("id", id).put("role", "FOLLOWER").put("leader", "h1")
                .put("term", 2).put("settings", settings);
        return new ClusterTable.Answer("http://127.0.0.1:810" + id.substring(1) + "/", s, null);
    }

    @Test
    void shouldWarnWhenOneHostsGroupIsConfiguredDifferently() {
        String other = "service io.resh.examples.kv.KvStore, 3 replicas, maxRequestBytes 4096";
        List<ClusterTable.Answer> answers = List.of(host("h1", KV), host("h2", KV), host("h3", other));

        StringWriter text = new StringWriter();
        ClusterTable.rows(new PrintWriter(text, true), answers);

        assertThat(text.toString()).contains("warning: the hosts' groups are configured differently (h1, h2: " + KV
                + "; h3: " + other + "); they apply the same requests and answer differently after a leader change");
    }

    /** A gateway host with fewer than f+1 live servers answers nothing voted: its row says so, and it does not serve. */
    @Test
    void shouldCountAGatewayWithTooFewLiveServersAsNotServing() {
        String gateway = "{\"failStop\":null,\"notServing\":%s,\"replicas\":[{\"state\":\"live\"},"
                + "{\"state\":\"stopped\"},{\"state\":\"stopped\"}]}";
        ObjectNode down = AdminClient.json().createObjectNode();
        down.set("gateway", AdminFixture.parse(String.format(gateway, "\"only 1 of 3 replicas are healthy and 2 must agree\"")));
        ObjectNode up = AdminClient.json().createObjectNode();
        up.set("gateway", AdminFixture.parse(String.format(gateway, "null")));

        assertThat(ClusterTable.serving(down)).isFalse();
        assertThat(ClusterTable.replicas(down)).isEqualTo("1/3 live NOT SERVING");
        assertThat(ClusterTable.serving(up)).as("an older host, or one with f+1 live").isTrue();
        assertThat(ClusterTable.replicas(up)).isEqualTo("1/3 live");
    }

    @Test
    void shouldSayNothingOfSettingsTheHostsShareOrDoNotReport() {
        // empty: a host whose group restarts from a snapshot right now, or that did not answer
        List<ClusterTable.Answer> answers = List.of(host("h1", KV), host("h2", ""), host("h3", KV),
                new ClusterTable.Answer("http://127.0.0.1:8104/", null, "connection refused"));

        assertThat(ClusterTable.settingsDiffer(answers)).isEmpty();
    }
}
