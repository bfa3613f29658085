package org.conferenceprogram.elasticsearch;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.conferenceprogram.elasticsearch.shim.ConferenceShimPlugin;
import org.elasticsearch.Build;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.ClasspathPluginsNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.ClasspathPluginsService.ClasspathPlugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Runs one real Elasticsearch 9.5.3 node in this JVM, built only from Maven Central jars
 * (no distribution tarball, no Docker image): the Elasticsearch server, its
 * {@code transport-netty4} module (real HTTP and transport), and
 * {@link ConferenceShimPlugin}, a small stand-in for the {@code analysis-common},
 * {@code lang-painless} and {@code rest-root} modules, which Elastic does not publish to
 * Maven Central. It is
 * meant for tests and local development where Docker is not available; with Docker, the
 * real distribution image is used.
 *
 * <p>Configuration comes from the environment (the {@code start} script sets it):
 * <ul>
 *   <li>{@code ELASTICSEARCH_PORT} (default 9250): HTTP port, bound to {@code ELASTICSEARCH_HOST}</li>
 *   <li>{@code ELASTICSEARCH_TRANSPORT_PORT} (default 9350): transport port</li>
 *   <li>{@code ELASTICSEARCH_HOST} (default 127.0.0.1): bind/publish address</li>
 *   <li>{@code ELASTICSEARCH_VAR_DIR} (default {@code <project>/var}, or the first
 *       argument): home, data and logs live under it</li>
 *   <li>{@code ELASTICSEARCH_CLUSTER_NAME} (default conference-test),
 *       {@code ELASTICSEARCH_NODE_NAME} (default conference-node-1)</li>
 * </ul>
 * Further arguments of the form {@code -Ekey=value} (or {@code key=value}) are
 * passed through as node settings.
 *
 * <p>Logs go to stdout. SIGTERM (or Ctrl-C) closes the node cleanly.
 */
public final class ElasticsearchNode {

    public static final String ELASTICSEARCH_VERSION = "9.5.3";

    private ElasticsearchNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        List<String> extra = new ArrayList<>();
        Path varDir = null;
        for (String arg : args) {
            if (arg.startsWith("-E")) {
                extra.add(arg.substring(2));
            } else if (arg.contains("=")) {
                extra.add(arg);
            } else if (varDir == null) {
                varDir = Path.of(arg);
            } else {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
        }
        if (varDir == null) {
            String fromEnv = env.get("ELASTICSEARCH_VAR_DIR");
            varDir = fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : defaultVarDir();
        }
        varDir = varDir.toAbsolutePath().normalize();

        Path home = varDir.resolve("home");
        Path config = home.resolve("config");
        Path data = varDir.resolve("data");
        Path logs = varDir.resolve("logs");
        for (Path dir : List.of(config, home.resolve("modules"), home.resolve("plugins"), data, logs)) {
            Files.createDirectories(dir);
        }
        try (InputStream in = ElasticsearchNode.class.getResourceAsStream("/log4j2.properties")) {
            if (in == null) {
                throw new IllegalStateException("log4j2.properties missing from the classpath");
            }
            Files.copy(in, config.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }

        // Where the native-access layer looks for the distribution's native libraries
        // (lib/platform/<os>-<arch>/: zstd, vector ops). None ship on Maven Central, so it
        // finds none and falls back to Java, with a warning; without the property it fails
        // with a NullPointerException instead (same fallback, noisier log).
        if (System.getProperty("es.path.home") == null) {
            System.setProperty("es.path.home", home.toString());
        }

        String host = env.getOrDefault("ELASTICSEARCH_HOST", "127.0.0.1");
        String clusterName = env.getOrDefault("ELASTICSEARCH_CLUSTER_NAME", "conference-test");
        String nodeName = env.getOrDefault("ELASTICSEARCH_NODE_NAME", "conference-node-1");
        Settings.Builder builder = Settings.builder()
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("discovery.type", "single-node")
            .put("network.host", host)
            .put("http.port", env.getOrDefault("ELASTICSEARCH_PORT", "9250"))
            .put("transport.port", env.getOrDefault("ELASTICSEARCH_TRANSPORT_PORT", "9350"))
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            // A throwaway dev/test node: a nearly full disk must not flip indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        for (String kv : extra) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("setting must be key=value: " + kv);
            }
            builder.put(kv.substring(0, eq), kv.substring(eq + 1));
        }

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            builder.build(), Collections.emptyMap(), config, () -> nodeName);

        LogConfigurator.registerErrorListener();
        LogConfigurator.setClusterName(clusterName);
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment, true);
        Logger logger = LogManager.getLogger(ElasticsearchNode.class);

        if (!ELASTICSEARCH_VERSION.equals(Build.current().version())) {
            logger.warn("expected Elasticsearch {} on the classpath, found {}", ELASTICSEARCH_VERSION, Build.current().version());
        }
        List<ClasspathPlugin> plugins = List.of(
            new ClasspathPlugin("transport-netty4", "Netty 4 based HTTP and transport (the distribution's module)", Netty4Plugin.class),
            new ClasspathPlugin(
                ConferenceShimPlugin.NAME,
                "stand-in for analysis-common (english analyzer, lowercase filter), lang-painless "
                    + "(the stable_bm25 similarity script only) and rest-root (GET /); see ops/elasticsearch-node/README.md",
                ConferenceShimPlugin.class
            )
        );
        logger.info(
            "starting Elasticsearch {} built from Maven Central jars: server + transport-netty4 + {} "
                + "(stand-in for the analysis-common, lang-painless and rest-root modules, which Elastic does not publish to "
                + "Maven Central: english analyzer, lowercase filter, the stable_bm25 similarity script only, GET /); "
                + "for tests where Docker is not available, NOT a full distribution (var dir {}, Java {})",
            Build.current().version(),
            ConferenceShimPlugin.NAME,
            varDir,
            Runtime.version()
        );

        final Node node;
        try {
            node = new ClasspathPluginsNode(environment, plugins);
        } catch (Throwable t) {
            logger.error("node failed to initialise", t);
            Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            logger.info("shutdown requested, closing node");
            try {
                node.prepareForClose();
                node.close();
                if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                    logger.warn("node did not close within 30s");
                }
                logger.info("node closed");
            } catch (Exception e) {
                logger.error("error while closing node", e);
            } finally {
                stopped.countDown();
                // log4j's own shutdown hook is disabled (-Dlog4j.shutdownHookEnabled=false)
                // so the lines above still get written; flush and stop it last.
                Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            }
        }, "elasticsearch-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try {
            node.start();
        } catch (Throwable t) {
            logger.error("node failed to start", t);
            // The hook closes what was opened; a non-zero exit tells the caller.
            System.exit(1);
        }
        // A non-daemon thread keeps the JVM alive until the shutdown hook has run.
        Thread keepAlive = new Thread(() -> {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "elasticsearch-node-keepalive");
        keepAlive.setDaemon(false);
        keepAlive.start();
    }

    /** {@code <project>/var}, where {@code <project>} holds {@code target/<this jar>}. */
    private static Path defaultVarDir() throws URISyntaxException {
        Path codeSource = Path.of(ElasticsearchNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // target/elasticsearch-node.jar or target/classes -> project dir
        Path target = codeSource.getParent();
        Path project = target != null && target.getParent() != null ? target.getParent() : Path.of(".");
        return project.resolve("var");
    }
}
