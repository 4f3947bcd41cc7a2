namespace Waybill.Common;

/// <summary>The envelope of every list endpoint.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);
