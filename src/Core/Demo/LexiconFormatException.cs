namespace Rlhf.Core.Demo;

/// <summary>A lexicon file is missing or malformed; the message names the file and, where known, the line.</summary>
public sealed class LexiconFormatException : Exception
{
    public LexiconFormatException(string message)
        : base(message)
    {
    }

    public LexiconFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LexiconFormatException()
    {
    }

    public LexiconFormatException(string path, int line, string problem)
        : base($"{path}:{line}: {problem}")
    {
        Path = path;
        Line = line;
    }

    public string? Path { get; }

    public int? Line { get; }
}
