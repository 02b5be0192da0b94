package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class FileErrorsTest {

    /** These exceptions' own message is the path alone: "cannot write the report to /proc/r.json: /proc/r.json". */
    @Test
    void shouldSayWhyWhenTheExceptionNamesOnlyTheFile() {
        assertThat(FileErrors.describe(new NoSuchFileException("/proc/r.json")))
                .isEqualTo("/proc/r.json: no such file or directory");
        assertThat(FileErrors.describe(new AccessDeniedException("/sys/r.json")))
                .isEqualTo("/sys/r.json: permission denied");
    }

    @Test
    void shouldKeepTheSystemsReasonInTheCaseOfTheRestOfTheLine() {
        assertThat(FileErrors.describe(new FileSystemException("/usr/r.json", null, "Read-only file system")))
                .isEqualTo("/usr/r.json: read-only file system");
        assertThat(FileErrors.describe(new FileSystemException("/x", null, "I/O error"))).isEqualTo("/x: I/O error");
    }
}
