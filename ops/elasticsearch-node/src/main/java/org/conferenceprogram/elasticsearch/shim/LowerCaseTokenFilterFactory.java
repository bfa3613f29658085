package org.conferenceprogram.elasticsearch.shim;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;

/**
 * The {@code lowercase} token filter type ({@code {"type": "lowercase"}}): Lucene's
 * {@link LowerCaseFilter}, usable in normalizers. analysis-common's version also takes a
 * {@code language} (greek, irish, turkish); this shim does not, and says so.
 */
final class LowerCaseTokenFilterFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {

    LowerCaseTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name);
        String language = settings.get("language");
        if (language != null) {
            throw new IllegalArgumentException(
                "lowercase filter ["
                    + name
                    + "]: the [language] option needs the analysis-common module of a real Elasticsearch distribution; "
                    + "this Maven-Central-only node (conference-shim) supports only the plain lowercase filter"
            );
        }
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new LowerCaseFilter(tokenStream);
    }
}
