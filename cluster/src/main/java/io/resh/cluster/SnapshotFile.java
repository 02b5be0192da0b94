package io.resh.cluster;

import io.resh.core.Digest;
import io.resh.host.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A Ratis snapshot of one host: the local group's stable checkpoint (voted digest and snapshot bytes)
 * and the Raft term and index it covers. Version 1, big-endian:
 *
 * <pre>
 * +-----------------+-----------+----------+-----------+-------------+-----------------+
 * | magic RESHSNAP  | version u8| term u64 | index u64 | sequence u64| digest length u8|
 * +-----------------+-----------+----------+-----------+-------------+-----------------+
 * | digest (0 or 32 bytes) | snapshot length u64 | snapshot bytes | CRC32C u32 of all before |
 * +------------------------+---------------------+----------------+--------------------------+
 * </pre>
 *
 * {@code sequence} is the local group's sequence number at {@code index}: the count of applied client
 * entries, which differs from the Raft index by the configuration entries. A host restarts its group
 * from the checkpoint and Ratis replays the log after {@code index}.
 */
record SnapshotFile(long term, long index, Checkpoint checkpoint) {
    static final byte[] MAGIC = {'R', 'E', 'S', 'H', 'S', 'N', 'A', 'P'};
    static final byte VERSION = 1;

    /** Writes to a temporary file, fsyncs, and renames into place so a crash leaves the old or the new file. */
    void write(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(term);
            out.writeLong(index);
            out.writeLong(checkpoint.sequence());
            byte[] digest = checkpoint.digest() == null ? new byte[0] : checkpoint.digest().bytes();
            out.writeByte(digest.length);
            out.write(digest);
            byte[] snap = checkpoint.snapshot() == null ? new byte[0] : checkpoint.snapshot();
            out.writeLong(snap.length);
            out.write(snap);
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(body));
            ch.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip());
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads and verifies a snapshot file; every defect is named with the file. */
    static SnapshotFile read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < MAGIC.length + 1 + 8 * 3 + 1 + 8 + 4) {
            throw new IOException("snapshot " + file + " is truncated: " + all.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IOException("snapshot " + file + " fails its CRC32C check (stored " + Integer.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + ")");
        }
        try (InputStream raw = new java.io.ByteArrayInputStream(all, 0, all.length - 4);
             DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("snapshot " + file + " does not start with RESHSNAP");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IOException("snapshot " + file + " has version " + version + ", this build reads " + VERSION);
            }
            long term = in.readLong();
            long index = in.readLong();
            long sequence = in.readLong();
            int digestLength = in.readUnsignedByte();
            byte[] digest = in.readNBytes(digestLength);
            long snapLength = in.readLong();
            if (snapLength < 0 || snapLength > in.available()) {
                throw new IOException("snapshot " + file + " declares " + snapLength + " snapshot bytes, has "
                        + in.available());
            }
            byte[] snap = in.readNBytes((int) snapLength);
            Checkpoint cp = sequence == 0 ? Checkpoint.INITIAL : new Checkpoint(sequence, Digest.wrap(digest), snap);
            return new SnapshotFile(term, index, cp);
        } catch (IllegalArgumentException e) {
            throw new IOException("snapshot " + file + ": " + e.getMessage(), e);
        }
    }
}
