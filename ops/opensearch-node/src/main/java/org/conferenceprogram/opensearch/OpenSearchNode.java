package org.conferenceprogram.opensearch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * Runs one real OpenSearch node in this JVM, with the plugins it needs loaded
 * from the classpath (every jar comes from Maven Central), instead of from a
 * distribution tarball or a Docker image.
 *
 * <p>Plugins: transport-netty4 (HTTP and transport) and analysis-common
 * ({@code english} analyzer, stemmers) are required; lang-painless, reindex and
 * mapper-extras are loaded when present.
 *
 * <p>Configuration comes from the environment (the {@code start} script sets it):
 * <ul>
 *   <li>{@code OPENSEARCH_PORT} (default 9200): HTTP port, bound to {@code OPENSEARCH_HOST}</li>
 *   <li>{@code OPENSEARCH_TRANSPORT_PORT} (default 9300): transport port</li>
 *   <li>{@code OPENSEARCH_HOST} (default 127.0.0.1): bind/publish address</li>
 *   <li>{@code OPENSEARCH_VAR_DIR} (default {@code <project>/var}, or the first
 *       argument): home, data and logs live under it</li>
 *   <li>{@code OPENSEARCH_CLUSTER_NAME} (default conference-test),
 *       {@code OPENSEARCH_NODE_NAME} (default conference-node-1)</li>
 * </ul>
 * Further arguments of the form {@code -Ekey=value} (or {@code key=value}) are
 * passed through as node settings.
 *
 * <p>Logs go to stdout. SIGTERM (or Ctrl-C) closes the node cleanly.
 */
public final class OpenSearchNode {

    public static final String OPENSEARCH_VERSION = "2.19.6";

    /**
     * Modules of the OpenSearch distribution that are useful here but not essential: the
     * node still starts (with a warning) if one of them cannot be loaded.
     */
    private static final List<String> OPTIONAL_PLUGINS = List.of(
        "org.opensearch.painless.PainlessPlugin",          // lang-painless: scripts, scripted updates
        "org.opensearch.index.reindex.ReindexPlugin",       // reindex: _reindex, _update_by_query, _delete_by_query
        "org.opensearch.index.mapper.MapperExtrasPlugin"    // mapper-extras: scaled_float, search_as_you_type, ...
    );

    /** A {@link Node} that accepts plugin classes found on the classpath. */
    static final class ClasspathPluginsNode extends Node {
        ClasspathPluginsNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private OpenSearchNode() {}

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
            String fromEnv = env.get("OPENSEARCH_VAR_DIR");
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
        try (InputStream in = OpenSearchNode.class.getResourceAsStream("/log4j2.properties")) {
            if (in == null) {
                throw new IllegalStateException("log4j2.properties missing from the classpath");
            }
            Files.copy(in, config.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }

        String host = env.getOrDefault("OPENSEARCH_HOST", "127.0.0.1");
        String nodeName = env.getOrDefault("OPENSEARCH_NODE_NAME", "conference-node-1");
        Settings.Builder builder = Settings.builder()
            .put("cluster.name", env.getOrDefault("OPENSEARCH_CLUSTER_NAME", "conference-test"))
            .put("node.name", nodeName)
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("discovery.type", "single-node")
            .put("network.host", host)
            .put("http.port", env.getOrDefault("OPENSEARCH_PORT", "9200"))
            .put("transport.port", env.getOrDefault("OPENSEARCH_TRANSPORT_PORT", "9300"))
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
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment);
        Logger logger = LogManager.getLogger(OpenSearchNode.class);

        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        plugins.add(org.opensearch.transport.Netty4Plugin.class);
        plugins.add(org.opensearch.analysis.common.CommonAnalysisPlugin.class);
        for (String optional : OPTIONAL_PLUGINS) {
            Class<? extends Plugin> plugin = optionalPlugin(optional, logger);
            if (plugin != null) {
                plugins.add(plugin);
            }
        }
        logger.info("starting OpenSearch {} (var dir {}), classpath plugins {}",
            OPENSEARCH_VERSION, varDir, plugins.stream().map(Class::getSimpleName).toList());

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
        }, "opensearch-node-shutdown");
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
        }, "opensearch-node-keepalive");
        keepAlive.setDaemon(false);
        keepAlive.start();
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Plugin> optionalPlugin(String className, Logger logger) {
        try {
            return (Class<? extends Plugin>) Class.forName(className);
        } catch (ClassNotFoundException | LinkageError e) {
            logger.warn("optional plugin {} not loaded: {}", className, e.toString());
            return null;
        }
    }

    /** {@code <project>/var}, where {@code <project>} holds {@code target/<this jar>}. */
    private static Path defaultVarDir() throws URISyntaxException {
        Path codeSource = Path.of(OpenSearchNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // target/opensearch-node.jar or target/classes -> project dir
        Path target = codeSource.getParent();
        Path project = target != null && target.getParent() != null ? target.getParent() : Path.of(".");
        return project.resolve("var");
    }
}
