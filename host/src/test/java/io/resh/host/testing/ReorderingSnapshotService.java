package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts words, and writes a snapshot that is not canonical, the mistake of a service that writes a hash map in
 * iteration order: the order is the insertion history's, and {@code restore} rebuilds the map in another one (here
 * reversed). Replicas that ran every request write the same bytes; one restored from their snapshot holds the same
 * counts but writes them in another order. Replies never differ: {@code word} answers the word's new count.
 */
public final class ReorderingSnapshotService implements ReplicatedService {
    private final Map<String, Long> counts = new LinkedHashMap<>();

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        String word = new String(request, StandardCharsets.UTF_8);
        return Long.toString(counts.merge(word, 1L, Long::sum)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(counts.size());
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            d.writeUTF(e.getKey());
            d.writeLong(e.getValue());
        }
        d.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int n = d.readInt();
        List<Map.Entry<String, Long>> read = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            read.add(Map.entry(d.readUTF(), d.readLong()));
        }
        Collections.reverse(read);
        counts.clear();
        read.forEach(e -> counts.put(e.getKey(), e.getValue()));
    }
}
