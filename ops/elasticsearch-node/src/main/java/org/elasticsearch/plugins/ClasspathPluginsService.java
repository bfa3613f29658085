package org.elasticsearch.plugins;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.spi.SPIClassIterator;

/**
 * A {@link PluginsService} whose plugins are classes on the application classpath,
 * instead of bundles under {@code modules/} and {@code plugins/} each loaded in its own
 * class loader (what the distribution does). Every jar here comes from Maven Central and
 * sits in one flat classpath, so there is nothing to load bundles from.
 *
 * <p>It lives in {@code org.elasticsearch.plugins} because the pieces it needs
 * ({@link PluginsService.LoadedPlugin}, {@code loadPlugin}, {@code createExtension}) are
 * package-private. Elasticsearch's own test framework does the same
 * ({@code MockPluginsService}), but that class ships in the test-framework jar, whose
 * {@code MockNode} drags in JUnit and randomized-testing; this is the small part needed.
 *
 * <p>The plugins are reported as <em>modules</em> ({@code GET _nodes/plugins},
 * {@code GET _cat/plugins} stays empty), as the distribution reports transport-netty4.
 */
public final class ClasspathPluginsService extends PluginsService {

    /** A plugin class and the name it is reported under. */
    public record ClasspathPlugin(String name, String description, Class<? extends Plugin> pluginClass) {}

    private final List<LoadedPlugin> loaded;
    private final List<PluginDescriptor> descriptors;

    public ClasspathPluginsService(Environment environment, List<ClasspathPlugin> plugins) {
        super(environment.settings(), environment.configDir(), new PluginsLoader(Set.of(), Set.of(), Map.of()));
        Settings settings = environment.settings();
        List<LoadedPlugin> loadedPlugins = new ArrayList<>();
        List<PluginDescriptor> pluginDescriptors = new ArrayList<>();
        for (ClasspathPlugin plugin : plugins) {
            Plugin instance = loadPlugin(plugin.pluginClass(), settings, environment.configDir());
            PluginDescriptor descriptor = new PluginDescriptor(
                plugin.name(),
                plugin.description(),
                Build.current().version(),
                Build.current().version(),
                Integer.toString(Runtime.version().feature()),
                plugin.pluginClass().getName(),
                null,
                List.of(),
                false,
                false,
                false,
                false,
                PluginDescriptor.DeploymentTarget.ALL
            );
            loadedPlugins.add(new LoadedPlugin(descriptor, instance, plugin.pluginClass().getClassLoader()));
            pluginDescriptors.add(descriptor);
        }
        // None of the plugins used here is an ExtensiblePlugin; fail loudly if that changes.
        for (LoadedPlugin plugin : loadedPlugins) {
            if (plugin.instance() instanceof ExtensiblePlugin) {
                throw new IllegalStateException(
                    "extensible plugin [" + plugin.descriptor().getName() + "] is not supported by " + getClass().getSimpleName()
                );
            }
        }
        this.loaded = List.copyOf(loadedPlugins);
        this.descriptors = List.copyOf(pluginDescriptors);
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return loaded;
    }

    @Override
    public PluginsAndModules info() {
        return new PluginsAndModules(List.of(), descriptors);
    }

    /**
     * Service providers ({@code META-INF/services}) of the classpath. All plugins share one
     * class loader, so the base implementation would find every provider once per plugin;
     * here each provider class is instantiated once, for the first plugin it accepts (its
     * constructor takes no argument, or that plugin).
     */
    @Override
    public <T> List<? extends T> loadServiceProviders(Class<T> service) {
        Map<Class<?>, T> result = new HashMap<>();
        for (LoadedPlugin plugin : loaded) {
            Iterator<Class<? extends T>> classes = SPIClassIterator.get(service, plugin.classLoader());
            while (classes.hasNext()) {
                Class<? extends T> providerClass = classes.next();
                if (result.containsKey(providerClass) || accepts(providerClass, plugin.instance()) == false) {
                    continue;
                }
                result.put(providerClass, createExtension(providerClass, service, plugin.instance()));
            }
        }
        return List.copyOf(result.values());
    }

    private static boolean accepts(Class<?> providerClass, Plugin plugin) {
        for (var constructor : providerClass.getConstructors()) {
            if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0].isAssignableFrom(plugin.getClass()) == false) {
                return false;
            }
        }
        return true;
    }
}
