package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.ConfigException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint over HTTPS with a certificate made by openssl for 127.0.0.1. */
class AdminServerTlsTest {
    @TempDir
    Path dir;

    private void makeCertificate(Path cert, Path key) throws Exception {
        Optional<Path> openssl = OnPath.find("openssl");
        assumeTrue(openssl.isPresent(), "openssl is not on the PATH");
        Process p = new ProcessBuilder(openssl.get().toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    private static HttpClient trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("admin", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void shouldServeTheApiOverHttpsWithTheGivenCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        makeCertificate(cert, key);

        try (AdminServer admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir).withTls(cert, key), List.of())) {
            AdminCalls calls = new AdminCalls(trusting(cert), admin.url(), admin.token());
            HttpResponse<String> groups = calls.send("GET", "/api/groups", null);
            HttpResponse<String> anonymous = calls.send("GET", "/api/groups", null, null);

            assertThat(admin.url()).startsWith("https://127.0.0.1:");
            assertThat(groups.statusCode()).isEqualTo(200);
            assertThat(groups.body().trim()).isEqualTo("[ ]");
            assertThat(anonymous.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void shouldRefuseHalfATlsConfigurationNamingTheMissingField() {
        Path cert = dir.resolve("cert.pem");

        assertThatThrownBy(() -> AdminConfig.defaults().withTls(cert, null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("admin.tls.key");
    }
}
