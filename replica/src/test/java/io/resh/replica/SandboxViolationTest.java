package io.resh.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class SandboxViolationTest {
    @Test
    void shouldRecognizeARefusedWriteAndNameThePathAndOperation() {
        FileSystemException e = new FileSystemException("/etc/resh", null, "Read-only file system");
        Frame.ContractViolation v = SandboxViolation.of(7, new UncheckedIOException(e));
        assertThat(v).isNotNull();
        assertThat(v.sequence()).isEqualTo(7);
        assertThat(v.path()).isEqualTo("/etc/resh");
        assertThat(v.detail()).isEqualTo("Read-only file system");
    }

    /** The operation comes from the JDK file API frame the service called (BwrapSandboxTest sees "Files.write..." for real). */
    @Test
    void shouldNameTheOperationFromTheStack() {
        FileSystemException e = new FileSystemException("/etc/x", null, "Read-only file system");
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("sun.nio.fs.UnixException", "translateToIOException", null, 1),
            new StackTraceElement("java.nio.file.Files", "newOutputStream", null, 2),
            new StackTraceElement("java.nio.file.Files", "writeString", null, 3),
            new StackTraceElement("com.example.Service", "execute", null, 4)});
        assertThat(SandboxViolation.of(1, e).operation()).isEqualTo("Files.writeString");
        e.setStackTrace(new StackTraceElement[0]);
        assertThat(SandboxViolation.of(1, e).operation()).isEqualTo("write");
    }

    @Test
    void shouldReadTheJavaIoForm() throws Exception {
        FileNotFoundException e = new FileNotFoundException("/usr/x.txt (Read-only file system)");
        Frame.ContractViolation v = SandboxViolation.of(2, e);
        assertThat(v.path()).isEqualTo("/usr/x.txt");
        assertThat(v.detail()).isEqualTo("Read-only file system");
        assertThat(SandboxViolation.of(3, new AccessDeniedException("/root/secret"))).isNotNull();
    }

    @Test
    void shouldIgnoreOrdinaryServiceErrors() {
        assertThat(SandboxViolation.of(1, new IllegalStateException("bad input"))).isNull();
        assertThat(SandboxViolation.of(1, new FileNotFoundException("/data/missing.txt (No such file or directory)"))).isNull();
        assertThat(SandboxViolation.of(1, new UncheckedIOException(new IOException("disk full")))).isNull();
    }
}
