"""names.string_bindings: the one evaluation of a module's string constants that the common
pass (f-string constants, rule builders) and the framework adapters (route prefixes) share."""
import libcst as cst

from routeguard.names import module_strings, string_bindings


def test_bindings_are_evaluated_in_order():
    body = cst.parse_module(
        'API = "/api"\n'
        'API = API + "/v1"\n'  # rebinding from its own value: read once, not twice
        'USERS = f"{API}/users"\n'
        'VERSION = 2\n'
        'V = f"/v{VERSION}"\n'
        'OLD = "/old"\n'
        'OLD = make()\n'  # no longer a string constant
        'PAIR = ("a",)\n'  # a tuple is no string
        'if DEBUG:\n    USERS = "/debug"\n'  # a configuration-dependent override: the default is kept
    ).body
    texts = [(name, text) for name, _, _, text in string_bindings(body)]
    assert texts == [("API", "/api"), ("API", "/api/v1"), ("USERS", "/api/v1/users"), ("VERSION", "2"),
                     ("V", "/v2"), ("OLD", "/old"), ("OLD", None), ("PAIR", None)]
    assert module_strings(string_bindings(body)) == {"API": "/api/v1", "USERS": "/api/v1/users", "VERSION": "2",
                                                     "V": "/v2"}


def test_one_vocabulary_of_status_names_that_turn_the_caller_away():
    """A refusal set aside to be returned later (names.leaves' ``answer``) reads the status names
    the extractor and the client-decision reader read: the standard library's
    ``HTTPStatus.FORBIDDEN`` as much as ``status.HTTP_403_FORBIDDEN``; a name that only ends like
    one (``Errors.ACCESS_FORBIDDEN``, a project's message key) is no status."""
    from routeguard.names import _refusal

    def refusal(code: str) -> bool:
        return _refusal(cst.parse_expression(code))

    assert refusal("make_response(body, HTTPStatus.FORBIDDEN)")
    assert refusal("Response(body, status.HTTP_403_FORBIDDEN)")
    assert refusal('("Forbidden", 403)')
    assert not refusal("make_response(body, Errors.ACCESS_FORBIDDEN)")
    assert not refusal("make_response(body, HTTPStatus.OK)")
