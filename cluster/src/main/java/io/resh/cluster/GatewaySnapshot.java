package io.resh.cluster;

import io.resh.gateway.server.CheckpointStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The metadata of a Raft snapshot of a host's gateway: the checkpoint its servers saved at the snapshot's Raft
 * index, whose files lie beside it in {@link #FILES}. Version 1, big-endian, in the file {@link #META}:
 *
 * <pre>
 * +-----------------+-----------+----------+-----------+--------------+-------------+
 * | magic RESHGWSN  | version u8| term u64 | index u64 | sequence u64 | applied u64 |
 * +-----------------+-----------+----------+-----------+--------------+-------------+
 * | digest length u32 | digest | file count u16 | per file: name length u16, name UTF-8, SHA-256 (32) |
 * +-------------------+--------+----------------+-----------------------------------------------------+
 * | CRC32C u32 of all before |
 * +--------------------------+
 * </pre>
 *
 * {@code sequence} is the gateway's request number of the checkpoint's save: the gateway numbers checkpoint requests
 * too, so it is neither the Raft index (configuration entries) nor {@code applied}, the count of client entries
 * applied. A host started from it numbers its gateway's requests on from {@code sequence + 1}, and Ratis applies the
 * log after {@code index}. {@code digest} is the voted reply to the checkpoint's digest request, which every server
 * started from the files must give.
 */
record GatewaySnapshot(long term, long index, long sequence, long applied, byte[] digest, Map<String, byte[]> sums) {
    static final String META = "snapshot.meta";
    /** The subdirectory of a snapshot's directory holding the servers' files, by their names in {@code checkpoint.files}. */
    static final String FILES = "files";
    static final byte[] MAGIC = {'R', 'E', 'S', 'H', 'G', 'W', 'S', 'N'};
    static final byte VERSION = 1;
    private static final int SHA256_BYTES = 32;

    GatewaySnapshot {
        sums = Collections.unmodifiableMap(new LinkedHashMap<>(sums));
    }

    /** The checkpoint the gateway starts its servers from, its files in {@code dir}'s {@link #FILES}. */
    CheckpointStore.Stored checkpoint(Path dir) {
        Path files = dir.resolve(FILES);
        long bytes = 0;
        for (String f : sums.keySet()) {
            try {
                bytes += Files.size(files.resolve(f));
            } catch (IOException e) {
                // Only the size shown in the status; a missing file is refused when the gateway takes it in.
            }
        }
        return new CheckpointStore.Stored(sequence, files, bytes, sums, digest);
    }

    /** Writes {@link #META} into {@code dir} and forces it to disk. */
    void write(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(term);
            out.writeLong(index);
            out.writeLong(sequence);
            out.writeLong(applied);
            out.writeInt(digest.length);
            out.write(digest);
            out.writeShort(sums.size());
            for (Map.Entry<String, byte[]> e : sums.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.write(e.getValue());
            }
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        try (FileChannel ch = FileChannel.open(dir.resolve(META), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(body));
            ch.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip());
            ch.force(true);
        }
    }

    /** Reads and checks {@code dir}'s {@link #META}; every defect is named with the file. */
    static GatewaySnapshot read(Path dir) throws IOException {
        Path file = dir.resolve(META);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("snapshot " + dir + " has no " + META, e);
        }
        int fixed = MAGIC.length + 1 + 8 * 4 + 4 + 2 + 4;
        if (all.length < fixed) {
            throw new IOException("snapshot metadata " + file + " is truncated: " + all.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IOException("snapshot metadata " + file + " fails its CRC32C check (stored "
                    + Integer.toHexString(stored) + ", computed " + Long.toHexString(crc.getValue()) + ")");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4))) {
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw new IOException("snapshot metadata " + file + " does not start with RESHGWSN");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IOException("snapshot metadata " + file + " has version " + version + ", this build reads "
                        + VERSION);
            }
            long term = in.readLong();
            long index = in.readLong();
            long sequence = in.readLong();
            long applied = in.readLong();
            int digestLength = in.readInt();
            if (digestLength < 0 || digestLength > in.available()) {
                throw new IOException("snapshot metadata " + file + " declares a digest of " + digestLength + " bytes");
            }
            byte[] digest = in.readNBytes(digestLength);
            int count = in.readUnsignedShort();
            Map<String, byte[]> sums = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                int nameLength = in.readUnsignedShort();
                if (nameLength > in.available()) {
                    throw new IOException("snapshot metadata " + file + " declares a file name of " + nameLength + " bytes");
                }
                String name = new String(in.readNBytes(nameLength), StandardCharsets.UTF_8);
                byte[] sum = in.readNBytes(SHA256_BYTES);
                if (sum.length != SHA256_BYTES) {
                    throw new IOException("snapshot metadata " + file + " is truncated in the SHA-256 of " + name);
                }
                sums.put(name, sum);
            }
            return new GatewaySnapshot(term, index, sequence, applied, digest, sums);
        } catch (java.io.EOFException e) {
            throw new IOException("snapshot metadata " + file + " is truncated", e);
        }
    }
}
