using Libromi.Gateway.Cli;
using Spectre.Console;

return args is ["integrations", ..]
    ? IntegrationsCheckCommand.Run(args, AnsiConsole.Console)
    : await ImportCommand.RunAsync(args, AnsiConsole.Console, CancellationToken.None);
