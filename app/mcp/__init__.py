"""kb-mcp: the MCP server for coding agents: the only modules that import mcp."""
