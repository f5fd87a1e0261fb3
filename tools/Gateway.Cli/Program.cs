using Libromi.Gateway.Cli;
using Spectre.Console;

return await ImportCommand.RunAsync(args, AnsiConsole.Console, CancellationToken.None);
