package org.elasticsearch.node;

import java.util.List;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.ClasspathPluginsService.ClasspathPlugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * A real {@link Node} whose plugins are classes on the classpath (see
 * {@link ClasspathPluginsService}). Everything else is the stock node construction:
 * real HTTP and transport (netty4), real script, search and transport services; none of
 * the test framework's mocks.
 *
 * <p>It lives in {@code org.elasticsearch.node} because {@link NodeConstruction},
 * {@link NodeServiceProvider} and {@code Node(NodeConstruction)} are package-private;
 * Elasticsearch's own {@code MockNode} (test framework) is built the same way.
 *
 * <p>No bootstrap checks and no entitlements: as in Elasticsearch's integration tests,
 * {@link Node#validateNodeBeforeAcceptingRequests} is the default no-op and nothing
 * installs the entitlement agent.
 */
public class ClasspathPluginsNode extends Node {

    public ClasspathPluginsNode(Environment environment, List<ClasspathPlugin> plugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment initialEnvironment, PluginsLoader ignored) {
                return new ClasspathPluginsService(initialEnvironment, plugins);
            }
        }, true));
    }
}
