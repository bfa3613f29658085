package org.conferenceprogram.elasticsearch.shim;

import java.util.Map;
import java.util.Set;

import org.elasticsearch.index.similarity.ScriptedSimilarity;
import org.elasticsearch.script.ScriptContext;
import org.elasticsearch.script.ScriptEngine;
import org.elasticsearch.script.SimilarityScript;

/**
 * A script engine registered under the language name {@code painless} that knows exactly
 * one script: the {@code stable_bm25} similarity of {@code mappings.py}
 * (ADR 050), in the {@code similarity} context. It does not interpret Painless: it
 * recognises that source (compared after whitespace normalisation) and runs the same
 * formula, compiled in Java with the same double arithmetic:
 *
 * <pre>
 * double tf = doc.freq;
 * double norm = 0.25 + 0.75 * doc.length / 8.0;
 * return query.boost * tf * 2.2 / (tf + 1.2 * norm);
 * </pre>
 *
 * Any other source, or any other context, is rejected with an
 * {@link IllegalArgumentException}, which Elasticsearch reports as HTTP 400.
 */
final class ShimPainlessScriptEngine implements ScriptEngine {

    static final String LANG = "painless";

    /** The one script this engine knows, exactly as {@code mappings.STABLE_BM25} sends it. */
    static final String STABLE_BM25_SOURCE = "double tf = doc.freq; "
        + "double norm = 0.25 + 0.75 * doc.length / 8.0; "
        + "return query.boost * tf * 2.2 / (tf + 1.2 * norm);";

    private static final String NORMALISED_STABLE_BM25 = normalise(STABLE_BM25_SOURCE);

    @Override
    public String getType() {
        return LANG;
    }

    @Override
    public <FactoryType> FactoryType compile(String name, String code, ScriptContext<FactoryType> context, Map<String, String> params) {
        if (context != SimilarityScript.CONTEXT) {
            throw unsupported("context [" + context.name + "]");
        }
        if (NORMALISED_STABLE_BM25.equals(normalise(code)) == false) {
            throw unsupported("script [" + code + "]");
        }
        SimilarityScript.Factory factory = StableBm25::new;
        return context.factoryClazz.cast(factory);
    }

    @Override
    public Set<ScriptContext<?>> getSupportedContexts() {
        return Set.of(SimilarityScript.CONTEXT);
    }

    private static IllegalArgumentException unsupported(String what) {
        return new IllegalArgumentException(
            "unsupported "
                + what
                + ": this node's [painless] engine is the conference-shim stand-in (Elasticsearch from Maven Central has no "
                + "lang-painless module); it only knows the stable_bm25 similarity script ["
                + STABLE_BM25_SOURCE
                + "] in the [similarity] context. Run a real Elasticsearch distribution (e.g. the Docker image) for other scripts."
        );
    }

    /** Trims and collapses every run of whitespace to one space. */
    static String normalise(String source) {
        return source == null ? "" : source.strip().replaceAll("\\s+", " ");
    }

    /** {@code query.boost * tf * 2.2 / (tf + 1.2 * norm)}, Painless's double arithmetic in Java. */
    static final class StableBm25 extends SimilarityScript {
        @Override
        public double execute(
            double weight,
            ScriptedSimilarity.Query query,
            ScriptedSimilarity.Field field,
            ScriptedSimilarity.Term term,
            ScriptedSimilarity.Doc doc
        ) {
            double tf = doc.getFreq();
            double norm = 0.25 + 0.75 * doc.getLength() / 8.0;
            return query.getBoost() * tf * 2.2 / (tf + 1.2 * norm);
        }
    }
}
