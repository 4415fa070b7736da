namespace InitLab.Reports;

/// <summary>Thrown when no headless Chromium is installed to check a report with.</summary>
public sealed class BrowserNotFoundException(string message) : Exception(message);
