using Spectre.Console;

namespace Rlhf.Cli;

/// <summary>
/// Where the CLI writes: plain writers for JSON, messages and anything that must not wrap (run ids, URLs, paths), and a
/// Spectre console (on the same output) for tables and live progress. <see cref="IsTerminal"/> says whether a person
/// watches a terminal (live bars) or the output goes to a pipe or file (one line per change, tables never wrapped).
/// </summary>
public sealed class CliIo
{
    /// <summary>The width tables get when the output is not a terminal: there is no screen edge to wrap at.</summary>
    public const int UnboundedWidth = 1000;

    public CliIo(TextWriter output, TextWriter error, IAnsiConsole console, bool isTerminal = false)
    {
        Out = output;
        Error = error;
        Ansi = console;
        IsTerminal = isTerminal;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public IAnsiConsole Ansi { get; }

    public bool IsTerminal { get; }

    public static CliIo Console { get; } = CreateConsole();

    /// <summary>Plain, non-interactive output into writers (tests, redirected output).</summary>
    public static CliIo ForWriters(TextWriter output, TextWriter error) => new(output, error, Plain(output), isTerminal: false);

    private static CliIo CreateConsole() => System.Console.IsOutputRedirected
        ? new CliIo(System.Console.Out, System.Console.Error, Plain(System.Console.Out), isTerminal: false)
        : new CliIo(System.Console.Out, System.Console.Error, AnsiConsole.Console, isTerminal: true);

    private static IAnsiConsole Plain(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = UnboundedWidth;
        return console;
    }
}
