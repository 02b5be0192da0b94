package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
    @TempDir
    Path dir;

    @Test
    void shouldCreateAnOwnerOnlyFileWithThirtyTwoRandomBytesOnFirstStart() throws Exception {
        Path file = dir.resolve("nested").resolve("admin.token");

        AdminToken token = AdminToken.loadOrCreate(file);

        assertThat(Files.readString(file).trim()).matches("[0-9a-f]{64}").isEqualTo(token.value());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void shouldReuseTheTokenOnLaterStarts() {
        Path file = dir.resolve("admin.token");
        String first = AdminToken.loadOrCreate(file).value();

        assertThat(AdminToken.loadOrCreate(file).value()).isEqualTo(first);
        assertThat(AdminToken.loadOrCreate(dir.resolve("other.token")).value()).isNotEqualTo(first);
    }

    @Test
    void shouldMatchOnlyTheExactToken() {
        AdminToken token = new AdminToken("0123456789abcdef0123456789abcdef");

        assertThat(token.matches("0123456789abcdef0123456789abcdef")).isTrue();
        assertThat(token.matches("0123456789abcdef0123456789abcdee")).isFalse();
        assertThat(token.matches("0123456789abcdef")).isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(token.matches(null)).isFalse();
    }

    @Test
    void shouldRefuseATokenFileThatHoldsNoUsableToken() throws Exception {
        Path file = dir.resolve("admin.token");
        Files.writeString(file, "short\n");

        assertThatThrownBy(() -> AdminToken.loadOrCreate(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.tokenFile").hasMessageContaining(file.toString());
    }
}
