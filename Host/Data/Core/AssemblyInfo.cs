// The fuzz tests drive the internal parsers directly on in-memory bytes (no temp files per case).
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("InitLab.Host.Tests")]
