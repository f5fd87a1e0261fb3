using Libromi.Gateway.Standalone;

await StandaloneApp.Build(args).RunAsync();
