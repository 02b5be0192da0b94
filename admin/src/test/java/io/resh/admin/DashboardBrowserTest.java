package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.GroupEvent;
import io.resh.host.ReplicaGroup;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * A real headless Chromium, driven by Selenium, opens the dashboard of a live TMR group under load,
 * crashes a replica with the dashboard's own button and watches it go through recovery back to active,
 * flips a reply bit and finds the divergence with its digests, and sets the rejuvenation period.
 * Leaves a screenshot in {@code target/dashboard.png}.
 *
 * <p>The page's once-a-second status poll is switched off in this browser, so every tile change seen
 * after the first render came from the status fetch an event triggered: the tiles follow the event
 * stream, and the status they fetch already shows the event.
 */
@Tag("e2e")
class DashboardBrowserTest {
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");
    /** Runs before the page's own script: the page's timer-driven status poll never starts. */
    private static final String NO_TIMED_POLL = "(function () {\n"
            + "  var setInterval = window.setInterval;\n"
            + "  window.setInterval = function (fn) {\n"
            + "    if (fn && fn.name === 'pollOnTimer') { window.reshTimedPollOff = true; return 0; }\n"
            + "    return setInterval.apply(window, arguments);\n"
            + "  };\n"
            + "})();";

    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ReplicaGroup group;
    private AdminServer admin;
    private ChromeDriverService service;
    private WebDriver browser;
    private Thread load;
    private final AtomicBoolean loading = new AtomicBoolean(true);

    @AfterEach
    void stop() throws Exception {
        loading.set(false);
        if (load != null) {
            load.join(10_000);
        }
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (admin != null) {
            admin.close();
        }
        if (group != null) {
            group.close();
        }
    }

    private WebDriver openBrowser() {
        Optional<Path> driver = OnPath.find("chromedriver");
        Optional<Path> chromium = OnPath.find("chromium", "chromium-browser", "google-chrome");
        assumeTrue(driver.isPresent() && chromium.isPresent(), "chromedriver and chromium must be on the PATH");
        System.setProperty("SE_OFFLINE", "true"); // never let Selenium Manager reach the network
        service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + dir.resolve("profile"));
        ChromeDriver chrome = new ChromeDriver(service, options);
        chrome.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", NO_TIMED_POLL));
        return chrome;
    }

    /** About 200 requests per second, so both charts have data; bounded in count and time. */
    private Thread startLoad(ReplicaGroup target, AtomicLong answered) {
        Thread t = new Thread(() -> {
            Semaphore window = new Semaphore(8);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < 20_000 && loading.get() && System.nanoTime() < deadline; i++) {
                try {
                    if (!window.tryAcquire(5, TimeUnit.SECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                target.submit("add:1".getBytes(StandardCharsets.UTF_8)).whenComplete((r, e) -> {
                    if (e == null) {
                        answered.incrementAndGet();
                    }
                    window.release();
                });
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // pacing, not waiting for a condition
            }
        }, "dashboard-load");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private List<WebElement> all(String css) {
        return browser.findElements(By.cssSelector(css));
    }

    private String attr(String css, String name) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? null : found.get(0).getAttribute(name);
    }

    @Test
    void shouldShowThreeReplicasAndWatchAnInjectedCrashRecoverToActive() throws Exception {
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("web", 3, dir).checkpointEvery(1000).build()));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group));
        AtomicLong answered = new AtomicLong();
        load = startLoad(group, answered);
        browser = openBrowser();
        try {
            browser.get(admin.dashboardUrl());

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(all(".group[data-group='web'] .replica[data-state='active']")).hasSize(3));
            assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
            await().atMost(Duration.ofSeconds(10)).until(() -> attr("#conn", "class").contains("live"));
            assertThat(((JavascriptExecutor) browser).executeScript("return window.reshTimedPollOff === true"))
                    .as("the page's timed status poll is off, so only events make it fetch the status").isEqualTo(true);
            String pidBefore = all(".replica[data-replica='1'] dd").get(1).getText();

            all(".replica[data-replica='1']").get(0).click();
            assertThat(all(".replica.selected")).extracting(e -> e.getAttribute("data-replica")).containsExactly("1");
            all(".group[data-group='web'] button[data-fault='crash']").get(0).click();

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(all(".ev[data-type='fault'][data-kind='crash'][data-replica='1']")).isNotEmpty();
                assertThat(all(".ev[data-type='recovery-started'][data-replica='1']")).isNotEmpty();
                assertThat(all(".ev[data-type='recovered'][data-replica='1']")).isNotEmpty();
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(attr(".replica[data-replica='1']", "data-state")).isEqualTo("active");
                assertThat(attr(".replica[data-replica='1']", "data-incarnation")).isEqualTo("2");
                assertThat(all(".replica[data-replica='1'] dd").get(1).getText()).isNotEqualTo(pidBefore);
                assertThat(all(".replica[data-replica='1'] .lastfault").get(0).getText()).startsWith("crash");
                assertThat(all(".replica[data-state='active']")).hasSize(3);
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(all(".chart polyline")).as("throughput and latency lines").hasSizeGreaterThanOrEqualTo(2));
            assertThat(answered.get()).isPositive();

            // What the supervisor believes: one version, trusted, not quarantined; fixed redundancy.
            assertThat(all(".group[data-group='web'] .chip.version[data-quarantined='false']")).hasSize(1);
            assertThat(all(".group[data-group='web'] .chip.redundancy").get(0).getText()).contains("N=3");

            // A flipped reply bit, seen in the faults view with both digests and the first differing bytes.
            all("#filter button[data-filter='faults']").get(0).click();
            all(".replica[data-replica='2']").get(0).click();
            all(".group[data-group='web'] button[data-fault='reply-corruption']").get(0).click();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<WebElement> rows = all(".ev[data-type='fault'][data-kind='divergence'][data-replica='2']");
                assertThat(rows).isNotEmpty();
                assertThat(rows.get(0).findElements(By.cssSelector(".diff .v"))).hasSize(2);
                assertThat(rows.get(0).findElement(By.cssSelector(".diff .at")).getText()).startsWith("first difference at byte");
            });
            assertThat(all(".ev[data-type='checkpoint']")).as("the faults view hides checkpoints").isEmpty();

            // Rejuvenation is set from the page and lands in the host.
            new Select(all(".group[data-group='web'] select[data-action='rejuvenation']").get(0)).selectByValue("10m");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    group.status().supervision().rejuvenationPeriod().equals(Duration.ofMinutes(10)));
        } finally {
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.createDirectories(SCREENSHOT.getParent());
            Files.copy(shot, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
    }

    /** A gateway's request kept in its replay log though every replay dies of it: its own line, also among the faults. */
    @Test
    void shouldShowAGatewaysUnreplayableRequestInWords() {
        ScriptedGateway gateway = new ScriptedGateway("redis", "{\"group\":\"redis\",\"replicas\":[]}");
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(gateway));
        browser = openBrowser();
        browser.get(admin.dashboardUrl());
        await().atMost(Duration.ofSeconds(10)).until(() -> attr("#conn", "class").contains("live"));
        String report = "request #3 (EXIT) kills every server that replays it, though replicas answered it when it ran:"
                + " …, restarting the others with back-off: fix what makes the server fail on it, and the next"
                + " replacement to replay it rejoins";

        gateway.emit(new GroupEvent.UnreplayableRequest(System.currentTimeMillis(), "redis", 3, "request #3 (EXIT)", 4, 2,
                2, true, report));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(all(".ev[data-type='unreplayable-request'] .what")).extracting(WebElement::getText)
                        .containsExactly(report));
        assertThat(all(".ev[data-type='unreplayable-request'] .where").get(0).getText()).isEqualTo("redis · #3");
        all("#filter button[data-filter='faults']").get(0).click();
        assertThat(all(".ev[data-type='unreplayable-request']")).as("among faults and recoveries").hasSize(1);
    }
}
