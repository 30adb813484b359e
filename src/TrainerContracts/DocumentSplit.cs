namespace Rlhf.TrainerContracts;

/// <summary>How the SFT corpus is cut into documents, each followed by EOS.</summary>
public enum DocumentSplit
{
    /// <summary>Blank-line separated paragraphs: the model learns where a passage ends.</summary>
    Paragraph,

    /// <summary>Sentences of each paragraph (<see cref="SentenceSplitter"/>): the model learns to end a sentence, so a
    /// completion of a sentence opening stops with EOS after the sentence.</summary>
    Sentence,
}
