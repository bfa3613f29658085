package org.conferenceprogram.elasticsearch.shim;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.ScriptPlugin;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.script.ScriptContext;
import org.elasticsearch.script.ScriptEngine;

/**
 * Stand-in for the Elasticsearch distribution modules that this project needs but that
 * Elastic does <strong>not</strong> publish to Maven Central: {@code analysis-common},
 * {@code lang-painless} and {@code rest-root}. The Elasticsearch 9.5.3 server and its
 * {@code transport-netty4} module are on Maven Central, so a real node can be built from
 * Maven jars alone; this plugin fills the remaining gap, and nothing more.
 *
 * <p>It provides <em>only</em> what {@code query_service/read_store/search_engine/mappings.py}
 * and the official client use:
 * <ul>
 *   <li>{@code GET /} and {@code HEAD /} (the client's {@code info()}/{@code ping()}), as the
 *       {@code rest-root} module answers them ({@link RestMainHandler});</li>
 *   <li>the {@code english} analyzer: Lucene's {@code EnglishAnalyzer} with its default stop
 *       words, exactly what analysis-common registers ({@link EnglishAnalyzerProvider});</li>
 *   <li>the {@code lowercase} token filter type ({@link LowerCaseTokenFilterFactory}), as in
 *       analysis-common. Note: a normalizer that names {@code "lowercase"} without defining
 *       it resolves to the server's own pre-configured {@code lowercase} filter, which is the
 *       same Lucene {@code LowerCaseFilter};</li>
 *   <li>a script engine registered as {@code painless} that compiles <em>one</em> script, the
 *       {@code stable_bm25} similarity, in the {@code similarity} context only
 *       ({@link ShimPainlessScriptEngine}). Any other script is rejected (HTTP 400).</li>
 * </ul>
 *
 * <p>The node built with it is meant for tests and local development where Docker is not
 * available; with Docker, the real Elasticsearch distribution image is used instead.
 */
public final class ConferenceShimPlugin extends Plugin implements ActionPlugin, AnalysisPlugin, ScriptPlugin {

    /** Name under which the node reports this plugin (as a module). */
    public static final String NAME = "conference-shim";

    private final AtomicReference<ClusterService> clusterService = new AtomicReference<>();

    public ConferenceShimPlugin() {}

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        RestHandlersServices restHandlersServices,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RestMainHandler(clusterService::get));
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", EnglishAnalyzerProvider::new);
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of("lowercase", LowerCaseTokenFilterFactory::new);
    }

    @Override
    public ScriptEngine getScriptEngine(Settings settings, Collection<ScriptContext<?>> contexts) {
        return new ShimPainlessScriptEngine();
    }

    @Override
    public List<ScriptContext<?>> getContexts() {
        return List.of();
    }
}
