using Spectre.Console;

namespace Rlhf.Cli;

/// <summary>Where the CLI writes: plain writers for JSON and messages, and a Spectre console (on the same output) for tables and live progress.</summary>
public sealed class CliIo
{
    public CliIo(TextWriter output, TextWriter error, IAnsiConsole console)
    {
        Out = output;
        Error = error;
        Ansi = console;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public IAnsiConsole Ansi { get; }

    public static CliIo Console { get; } = new(System.Console.Out, System.Console.Error, AnsiConsole.Console);

    /// <summary>Plain, non-interactive output into writers (tests, redirected output).</summary>
    public static CliIo ForWriters(TextWriter output, TextWriter error) => new(output, error, AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    }));
}
