"""Helpers shared by tests/ that are not fixtures: running the CLI in this
process, and running one cell as a notebook."""


def exit_code_of_main(args) -> int:
    """The exit code of ``python -m dcgan_lib ARGS``, run through its ``main()`` in
    this process (a new process spends seconds importing torch), whether main()
    returns it or exits with it; what it prints goes to pytest's capsys. Any other
    exception fails the calling test."""
    from dcgan_lib.__main__ import main

    try:
        return main(list(args))
    except SystemExit as exit_info:
        return exit_info.code


def run_one_cell(tmp_path, code: str) -> list:
    """Run ``code`` as a one-cell notebook with dcgan_lib's executor; its outputs."""
    import nbformat

    from dcgan_lib.notebooks import execute_notebook

    path = tmp_path / "one_cell.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code)]
    nbformat.write(notebook, path)
    execute_notebook(path)
    return nbformat.read(path, as_version=4).cells[0].outputs
