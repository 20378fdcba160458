"""Errors about the user's input. The CLI turns them into one line each and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass

# Characters that would break or garble the one line a problem is shown on: every line
# break str.splitlines knows (a quoted YAML value may hold newlines; a config line may hold
# a vertical tab or U+2028) and the other C0 controls. Shown escaped, as Python writes them.
_ONE_LINE = str.maketrans(
    {code: repr(chr(code))[1:-1] for code in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, 0x85, 0x2028, 0x2029)}
)


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file: `file:line: message` (line 0 = whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        shown = f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"
        return shown.translate(_ONE_LINE)


class InputError(Exception):
    """Bad input. Carries every problem found, not just the first (users fix them in one go)."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, file: str, line: int, message: str) -> InputError:
        return cls([InputProblem(file, line, message)])


class InputWarning(UserWarning):
    """Something in the input that is likely a mistake but does not stop the analysis
    (issued with `warnings.warn`; the CLI shows each as one `warning: file:line: ...` line)."""

    def __init__(self, problem: InputProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))
