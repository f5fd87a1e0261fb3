using Libromi.Gateway.Benchmarks.Imports;

// Parent: starts Azurite and runs each size in a fresh gateway process, so each peak is that size's own.
// Child (--child N CONNECTION): one gateway, one import of N rows, then the one-message-per-row baseline.
return args is ["--child", var rows, var connection]
    ? await ImportRun.RunChildAsync(int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture), connection)
    : await ImportBenchmark.RunAsync(args.Length > 0 ? [.. args.Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture))] : [10_000, 100_000]);
