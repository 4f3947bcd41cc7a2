namespace Waybill.Server.Pages.Track;

/// <summary>The search box's model: the number as typed and the error to show beside it.</summary>
public sealed record SearchForm(string? Number, string? Error);
