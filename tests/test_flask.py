"""Flask semantics in the route/authorization graph."""
from helpers import routes
from routeguard import scan_sources


def test_aliases_module_attributes_and_relative_imports():
    r, _ = routes({
        "shop/__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom . import views\n",
        "shop/views.py": """
import flask_login
from flask_login import login_required as lr
from . import app

@app.route("/a")
@lr
def a(): ...

@app.route("/b")
@flask_login.login_required
def b(): ...

@app.route("/c")
def c(): ...
""",
    })
    assert r[("GET", "/a")].auth == "protected"
    assert r[("GET", "/b")].auth == "protected"
    assert r[("GET", "/c")].auth == "unprotected"
    assert r[("GET", "/a")].guards[0].name == "lr"
    assert r[("GET", "/a")].guards[0].layer == "decorator"


def test_guard_reexported_from_project_module():
    r, _ = routes({
        "app/auth.py": "from flask_login import login_required\n",
        "app/views.py": """
from flask import Blueprint
from app.auth import login_required
bp = Blueprint("v", __name__)

@bp.get("/x")
@login_required
def x(): ...
""",
    })
    assert r[("GET", "/x")].auth == "protected"


def test_nested_blueprints_prefixes_and_factory():
    r, _ = routes({
        "app/__init__.py": """
from flask import Flask

def create_app():
    app = Flask(__name__)
    from .api import api_bp
    app.register_blueprint(api_bp, url_prefix="/api")
    return app
""",
        "app/api/__init__.py": """
from flask import Blueprint
from .users import users_bp
api_bp = Blueprint("api", __name__)
api_bp.register_blueprint(users_bp, url_prefix="/users")
""",
        "app/api/users.py": """
from flask import Blueprint
users_bp = Blueprint("users", __name__, url_prefix="/ignored")

@users_bp.route("/<int:user_id>", methods=["GET", "PATCH"])
def user(user_id): ...
""",
    })
    assert set(r) == {("GET", "/api/users/<int:user_id>"), ("PATCH", "/api/users/<int:user_id>")}
    assert r[("GET", "/api/users/<int:user_id>")].endpoint == "api.users.user"


def test_before_request_gate_covers_nested_and_respects_allow_list():
    r, report = routes({
        "app/__init__.py": """
from flask import Flask
from .api import api_bp
app = Flask(__name__)
app.register_blueprint(api_bp, url_prefix="/api")
""",
        "app/api.py": """
from flask import Blueprint, request, abort
from flask_jwt_extended import verify_jwt_in_request

api_bp = Blueprint("api", __name__)
PUBLIC = {"api.catalog"}

@api_bp.before_request
def gate():
    if request.endpoint in PUBLIC:
        return
    verify_jwt_in_request()

@api_bp.get("/catalog")
def catalog(): ...

@api_bp.post("/orders")
def create_order(): ...
""",
    })
    assert r[("GET", "/api/catalog")].auth == "public"
    assert r[("POST", "/api/orders")].auth == "protected"
    gate = r[("POST", "/api/orders")].guards[0]
    assert (gate.kind, gate.layer, gate.location.file) == ("gate", "blueprint", "app/api.py")
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_before_app_request_covers_whole_app_and_logging_gate_does_not():
    r, _ = routes({
        "app.py": """
from flask import Flask, Blueprint, g, abort
from flask_login import current_user
app = Flask(__name__)
auth_bp = Blueprint("auth", __name__)
other = Blueprint("other", __name__)

@auth_bp.before_app_request
def load():
    if not current_user.is_authenticated:
        abort(401)

@other.before_request
def log():
    g.start = 1

@other.get("/items")
def items(): ...

app.register_blueprint(auth_bp)
app.register_blueprint(other)
""",
    })
    assert r[("GET", "/items")].auth == "protected"
    assert [g.layer for g in r[("GET", "/items")].guards] == ["app"]


def test_custom_decorators_by_behaviour_not_name():
    r, _ = routes({
        "app/security.py": """
from functools import wraps
from flask import request, abort
import jwt

def token_required(f):
    @wraps(f)
    def wrapper(*a, **kw):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            jwt.decode(token, "k", algorithms=["HS256"])
        except jwt.InvalidTokenError:
            abort(401)
        return f(*a, **kw)
    return wrapper

def roles_required(*roles):
    def decorator(f):
        @wraps(f)
        def wrapper(*a, **kw):
            if not has_role(roles):
                return {"error": "forbidden"}, 403
            return f(*a, **kw)
        return wrapper
    return decorator

def secure_endpoint(f):
    @wraps(f)
    def wrapper(*a, **kw):
        print("called", f.__name__)
        return f(*a, **kw)
    return wrapper
""",
        "app/views.py": """
from flask import Flask
from app.security import token_required, roles_required, secure_endpoint
app = Flask(__name__)

@app.get("/a")
@token_required
def a(): ...

@app.get("/b")
@roles_required("admin")
def b(): ...

@app.get("/c")
@secure_endpoint
def c(): ...
""",
    })
    assert r[("GET", "/a")].auth == "protected"
    assert r[("GET", "/b")].auth == "protected"
    assert r[("GET", "/c")].auth == "unprotected"


def test_inline_check_and_transitive_helper():
    r, _ = routes({
        "app.py": """
from flask import Flask, abort, redirect, url_for
from flask_login import current_user
app = Flask(__name__)

def require_user():
    if current_user.is_anonymous:
        abort(401)
    return current_user

@app.get("/a")
def a():
    if not current_user.is_authenticated:
        return redirect(url_for("login"))
    return "ok"

@app.get("/b")
def b():
    user = require_user()
    return user.name

@app.get("/c")
def c():
    return {"logged_in": current_user.is_authenticated}
""",
    })
    assert r[("GET", "/a")].auth == "protected"
    assert r[("GET", "/a")].guards[0].layer == "inline"
    assert r[("GET", "/b")].auth == "protected"
    assert r[("GET", "/c")].auth == "unprotected"


def test_decorator_order_guard_above_route():
    _, report = routes({
        "app.py": """
from flask import Flask
from flask_login import login_required
app = Flask(__name__)

@login_required
@app.route("/a", methods=["POST"])
def a(): ...
""",
    })
    ids = [(f.rule_id, f.location.line) for f in report.findings]
    assert ids == [("RG102", 6)]
    assert report.routes[0].auth == "unprotected"


def test_method_view_and_add_url_rule():
    r, _ = routes({
        "app.py": """
from flask import Flask
from flask.views import MethodView
from flask_login import login_required
app = Flask(__name__)

class UserAPI(MethodView):
    decorators = [login_required]
    def get(self, id): ...
    def delete(self, id): ...

class Open(MethodView):
    def get(self): ...
    def post(self): ...

def legacy(): ...

app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))
app.add_url_rule("/open", view_func=Open.as_view("open"))
app.add_url_rule("/legacy", "legacy", login_required(legacy))
""",
    })
    assert r[("GET", "/users/<int:id>")].auth == "protected"
    assert r[("DELETE", "/users/<int:id>")].guards[0].layer == "class"
    assert r[("POST", "/open")].auth == "unprotected"
    assert r[("POST", "/open")].location.line == 14
    assert r[("GET", "/legacy")].auth == "protected"


def test_restful_resources_base_classes_and_method_decorators():
    r, _ = routes({
        "inv/common.py": """
from flask_restful import Resource
from flask_jwt_extended import jwt_required

class AuthResource(Resource):
    method_decorators = [jwt_required()]
""",
        "inv/api.py": """
from flask import Blueprint
from flask_restful import Api, Resource
from flask_login import login_required
from inv.common import AuthResource

bp = Blueprint("inv", __name__, url_prefix="/inv")
api = Api(bp)

class Items(AuthResource):
    def get(self): ...
    def post(self): ...

class Notes(Resource):
    method_decorators = {"post": [login_required]}
    def get(self): ...
    def post(self): ...

api.add_resource(Items, "/items", "/items/<int:id>")
api.add_resource(Notes, "/notes")
""",
    })
    assert r[("POST", "/inv/items/<int:id>")].auth == "protected"
    assert r[("GET", "/inv/items")].guards[0].location.file == "inv/common.py"
    assert r[("POST", "/inv/notes")].auth == "protected"
    assert r[("GET", "/inv/notes")].auth == "unprotected"


def test_httpauth_and_principal_instances():
    r, _ = routes({
        "app/ext.py": """
from flask_httpauth import HTTPTokenAuth
from flask_principal import Permission, RoleNeed
auth = HTTPTokenAuth(scheme="Bearer")
admin_permission = Permission(RoleNeed("admin"))
""",
        "app/views.py": """
from flask import Flask
from app.ext import auth, admin_permission
app = Flask(__name__)

@app.get("/a")
@auth.login_required
def a(): ...

@app.delete("/b")
@admin_permission.require(http_exception=403)
def b(): ...
""",
    })
    assert r[("GET", "/a")].auth == "protected"
    assert r[("DELETE", "/b")].auth == "protected"


def test_blueprints_registered_in_a_loop():
    r, _ = routes({
        "app.py": """
from flask import Flask, Blueprint
a = Blueprint("a", __name__, url_prefix="/a")
b = Blueprint("b", __name__, url_prefix="/b")

@a.get("/x")
def x(): ...

@b.get("/y")
def y(): ...

def create_app():
    app = Flask(__name__)
    for bp in (a, b):
        app.register_blueprint(bp, url_prefix="/v1" + "")
    return app
""",
    })
    # register_blueprint's url_prefix replaces the blueprint's own
    assert ("GET", "/v1/x") in r and ("GET", "/v1/y") in r


def test_allow_list_config_and_conventional_public():
    r, _ = routes({
        "app.py": """
from flask import Flask
app = Flask(__name__)

@app.post("/webhooks/stripe")
def stripe(): ...

@app.route("/login", methods=["GET", "POST"])
def login(): ...

@app.get("/healthz")
def healthz(): ...

@app.post("/auth/oauth/google")
def login_with_google(): ...  # Flagsmith: the sign-in with a provider, named by its handler

@app.get("/account/login-history")
def login_history(): ...

@app.post("/auth/password/request_reset/")
def request_password_reset(): ...  # Karrot: the flow named by its last two words

@app.post("/auth/email/verify/")
def verify_address(): ...

@app.post("/users/<int:user_id>/password/reset")
def set_password_of(user_id): ...  # names a user: not the caller's own reset

@app.post("/user-source/<int:source_id>/token-auth")
def authenticate_user_source(source_id): ...  # baserow: a sign-in, and its logout
@app.post("/user/token-blacklist/")
def blacklist(): ...
""",
    }, **{"public-routes": ["/webhooks/*"]})
    assert r[("POST", "/auth/oauth/google")].auth == "public"
    assert r[("GET", "/account/login-history")].auth == "unprotected"
    assert r[("POST", "/auth/password/request_reset/")].auth == r[("POST", "/auth/email/verify/")].auth == "public"
    assert r[("POST", "/users/<int:user_id>/password/reset")].auth == "unprotected"
    assert r[("POST", "/user-source/<int:source_id>/token-auth")].auth == r[("POST", "/user/token-blacklist/")].auth \
        == "public"
    assert r[("POST", "/webhooks/stripe")].auth == "public"
    assert r[("POST", "/webhooks/stripe")].guards[0].layer == "config"
    assert r[("POST", "/login")].auth == "public"
    assert r[("GET", "/healthz")].auth == "public"
    r, _ = routes({"app.py": "from flask import Flask\napp = Flask(__name__)\n@app.get('/login')\ndef login(): ...\n"},
                  **{"default-public-routes": False})
    assert r[("GET", "/login")].auth == "unprotected"


def test_second_factor_challenges_are_public_by_convention():
    """Zou: ``GET /auth/email-otp?email=...`` mails a one-time password and ``GET /auth/fido``
    returns a WebAuthn challenge, both before anyone has signed in: steps of the way in, public
    by convention like ``/login``; the same resource's methods that need a session keep theirs."""
    r, _ = routes({"app.py": """
from flask import Flask
from flask.views import MethodView
from flask_jwt_extended import jwt_required

app = Flask(__name__)

class EmailOTPResource(MethodView):
    def get(self):
        return {"success": True}

    @jwt_required()
    def put(self):
        return {}

class FIDOResource(MethodView):
    def get(self):
        return {"challenge": "..."}

app.add_url_rule("/auth/email-otp", view_func=EmailOTPResource.as_view("email_otp"))
app.add_url_rule("/auth/fido", view_func=FIDOResource.as_view("fido"))
"""})
    assert r[("GET", "/auth/email-otp")].auth == "public"
    assert r[("GET", "/auth/email-otp")].guards[0].reason == "second-factor login endpoints are public by convention"
    assert r[("GET", "/auth/fido")].auth == "public"
    assert r[("PUT", "/auth/email-otp")].auth == "protected"


def test_extra_auth_decorators_from_config():
    files = {"app.py": """
from flask import Flask
from company.sso import require_sso
app = Flask(__name__)

@app.get("/x")
@require_sso
def x(): ...
"""}
    r, _ = routes(files)
    assert r[("GET", "/x")].auth == "unprotected"
    r, _ = routes(files, **{"auth-decorators": ["company.sso.require_sso"]})
    assert r[("GET", "/x")].auth == "protected"


def test_settings_debug_and_secrets():
    _, report = routes({
        "app/__init__.py": """
import os
from flask import Flask

def create_app():
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY="dev")
    app.config.update(DEBUG=True)
    app.config["JWT_SECRET_KEY"] = os.getenv("JWT_SECRET_KEY", "change-me")
    app.config["STRIPE_API_KEY"] = os.environ["STRIPE_API_KEY"]
    return app
""",
    })
    got = sorted((f.rule_id, f.location.line, f.severity.level) for f in report.findings)
    assert got == [("RG401", 8, "warning"), ("RG403", 7, "error"), ("RG403", 9, "warning")]


def test_a_default_the_settings_module_refuses_to_start_with_is_not_a_fallback():
    """zou's config module reads ``SECRET_KEY`` with a public default and then, at module level,
    refuses to start with that default outside debug: no server runs with it (RG403 silent). The
    same read without the refusal, or a refusal of another value, still falls back to it."""
    _, report = routes({
        "app/__init__.py": """
from flask import Flask

app = Flask(__name__)
app.config.from_object("app.config")
""",
        "app/config.py": """
import os
import sys

DEBUG = os.getenv("DEBUG", "false") == "true"
SECRET_KEY = os.getenv("SECRET_KEY", "mysecretkey")
JWT_SECRET_KEY = os.getenv("JWT_SECRET_KEY", "jwt-dev-key")
SESSION_SECRET = os.getenv("SESSION_SECRET", "session-dev")

if SECRET_KEY == "mysecretkey" and not DEBUG and "pytest" not in sys.modules:
    raise RuntimeError("SECRET_KEY is set to the insecure default 'mysecretkey'.")
if JWT_SECRET_KEY in ("", "jwt-dev-key"):
    sys.exit("set JWT_SECRET_KEY")
if SESSION_SECRET == "another-value":
    raise RuntimeError("refused")
""",
    })
    assert sorted((f.rule_id, f.location.line) for f in report.findings) == [("RG403", 8)]


def test_app_passed_to_a_registration_function_and_view_variables():
    r, _ = routes({
        "app/__init__.py": """
from flask import Flask
from .routes import register_blueprints

def create_app():
    app = Flask(__name__)
    register_blueprints(app)
    return app
""",
        "app/routes.py": """
from flask import Blueprint
from flask.views import MethodView
from flask_login import login_required

users = Blueprint("users", __name__)

class UserAPI(MethodView):
    decorators = [login_required]
    def get(self, id): ...

user_view = UserAPI.as_view("user")
users.add_url_rule("/<int:id>", view_func=user_view)

def register_blueprints(app):
    app.register_blueprint(users, url_prefix="/api/users")
    for fmt in ("csv", "json"):
        app.add_url_rule(f"/export.{fmt}", f"export_{fmt}", export)

def export(): ...
""",
    })
    assert r[("GET", "/api/users/<int:id>")].auth == "protected"
    assert r[("GET", "/export.{fmt}")].auth == "unprotected"


def test_optional_jwt_is_public_by_declaration():
    """Optional authentication lets anonymous callers in: not a guard, and the author's
    declaration that the route is public (issue 12, item 7)."""
    r, _ = routes({"app.py": """
from flask import Flask
from flask_jwt_extended import jwt_optional, jwt_required, verify_jwt_in_request
app = Flask(__name__)

@app.get("/feed")
@jwt_required(optional=True)
def feed(): ...

@app.get("/legacy-feed")
@jwt_optional
def legacy_feed(): ...

@app.get("/catalog")
def catalog():
    verify_jwt_in_request(optional=True)
    return []
""", "auth.py": """
from functools import wraps

from flask import request


def require_auth(scopes=None, *, optional_auth_user=False):
    # FitTrackee: a project decorator told to let anonymous callers in
    def wrapper(f):
        @wraps(f)
        def decorated(*args, **kwargs):
            if not optional_auth_user and not request.headers.get("Authorization"):
                return {"status": "error"}, 401
            return f(*args, **kwargs)
        return decorated
    return wrapper
""", "workouts.py": """
from app import app
from auth import require_auth


@app.get("/workouts/<int:workout_id>")
@require_auth(scopes=["workouts:read"], optional_auth_user=True)
def get_workout(workout_id): ...


@app.delete("/workouts/<int:workout_id>")
@require_auth(scopes=["workouts:write"])
def delete_workout(workout_id): ...
"""})
    assert r[("DELETE", "/workouts/<int:workout_id>")].auth == "protected"
    for path in ("/feed", "/legacy-feed", "/catalog", "/workouts/<int:workout_id>"):
        route = r[("GET", path)]
        assert route.auth == "public", path
        assert all(g.effect == "public" for g in route.guards)
        assert "optional" in " ".join(g.reason for g in route.guards), path


def test_facts_are_picklable():
    import pickle

    from routeguard.extract import extract_source
    from routeguard.frameworks import ADAPTERS
    from routeguard.frameworks.base import Knowledge

    text = "from flask import Flask\napp = Flask(__name__)\n@app.get('/x')\ndef x(): ...\n"
    facts = extract_source("app.py", text, "app", False, Knowledge(ADAPTERS))
    assert pickle.loads(pickle.dumps(facts)) == facts
    assert facts.routes and facts.routers


def test_unparsable_and_deeply_nested_files_do_not_hide_others():
    _, report = routes({
        "ok.py": "from flask import Flask\napp = Flask(__name__)\n@app.post('/x')\ndef x(): ...\n",
        "bad.py": "def f(:\n",
        "deep.py": "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n",
    })
    assert [n.file for n in report.notifications] == ["bad.py", "deep.py"]
    assert [(f.rule_id, f.location.file) for f in report.findings] == [
        ("RG000", "bad.py"), ("RG000", "deep.py"), ("RG101", "ok.py")]


def test_blueprint_registered_twice_is_one_finding_with_each_method_once():
    r, report = routes({
        "shop/__init__.py": "from flask import Flask\nfrom .api import bp\napp = Flask(__name__)\n"
                            "app.register_blueprint(bp, url_prefix='/api')\n"
                            "app.register_blueprint(bp, url_prefix='/api', name='compat')\n",
        "shop/api.py": "from flask import Blueprint\nbp = Blueprint('api', __name__)\n\n"
                       "@bp.route('/items', methods=['GET', 'POST'])\ndef items():\n    db.session.commit()\n",
        "shop/account.py": "from flask_login import login_required\nfrom . import app\n\n"
                           "@app.get('/me')\n@login_required\ndef me():\n    return {}\n",
    })
    assert sorted(x.endpoint for x in report.routes if x.method == "GET" and x.path == "/api/items") == \
        ["api.items", "compat.items"]
    (finding,) = [f for f in report.findings if f.rule_id == "RG101"]
    assert finding.message.startswith("GET/POST /api/items requires no authentication")


def test_flask_appbuilder_views_and_apis():
    """@expose methods are routes below the class's route_base (default /<class name> for a
    view, /api/<version>/<resource_name> for an API) once the class is registered with
    add_view / add_view_no_menu / add_api; has_access, has_access_api and protect() guard
    them; an app-wide before_request gate covers them (AppBuilder(app) mounts the builder)."""
    files = {
        "crm/__init__.py": """
from flask import Flask
from flask_appbuilder import AppBuilder, SQLA

app = Flask(__name__)
db = SQLA(app)
appbuilder = AppBuilder(app, db.session)
from . import views
""",
        "crm/views.py": """
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi, expose as api_expose, protect
from flask_appbuilder.security.decorators import has_access_api
from . import appbuilder


class LeadsView(BaseView):
    @expose("/")
    @has_access
    def index(self): ...

    @expose("/export/<int:lead_id>", methods=["GET", "POST"])
    def export(self, lead_id):
        return send_file(f"/srv/exports/lead-{lead_id}.csv")


class LeadApi(BaseApi):
    resource_name = "lead"
    version = "v2"

    @api_expose("/<int:pk>", methods=["DELETE"])
    @protect()
    def remove(self, pk): ...

    @api_expose("/stats")
    @has_access_api
    def stats(self): ...


class Hidden(BaseView):
    route_base = "/hidden"

    @expose("/x")
    def x(self): ...


class NeverRegistered(BaseView):
    @expose("/y")
    def y(self): ...


appbuilder.add_view(LeadsView, "Leads")
appbuilder.add_api(LeadApi)
appbuilder.add_view_no_menu(Hidden())
""",
    }
    r, report = routes(files)
    assert sorted(r) == [("DELETE", "/api/v2/lead/<int:pk>"), ("GET", "/api/v2/lead/stats"), ("GET", "/hidden/x"),
                         ("GET", "/leadsview/"), ("GET", "/leadsview/export/<int:lead_id>"),
                         ("POST", "/leadsview/export/<int:lead_id>")]
    assert {k: v.auth for k, v in r.items()} == {
        ("DELETE", "/api/v2/lead/<int:pk>"): "protected", ("GET", "/api/v2/lead/stats"): "protected",
        ("GET", "/hidden/x"): "unprotected", ("GET", "/leadsview/"): "protected",
        ("GET", "/leadsview/export/<int:lead_id>"): "unprotected", ("POST", "/leadsview/export/<int:lead_id>"): "unprotected"}
    assert r[("GET", "/leadsview/export/<int:lead_id>")].handler == "crm.views.LeadsView.export"
    # GET /hidden/x is a stub that returns nothing: a public read, listed and not reported
    assert sorted((f.rule_id, f.location.line) for f in report.findings) == [("RG101", 14)]

    gated = dict(files)
    gated["crm/__init__.py"] += """
from flask_login import current_user
from flask import abort

@app.before_request
def require_login():
    if not current_user.is_authenticated:
        abort(401)
"""
    r, _ = routes(gated)
    assert all(v.auth == "protected" for v in r.values())


def test_self_calls_follow_the_class_bases_and_only_leaving_branches_are_checks():
    """``self._require_user()`` in a view method is the base class's method, which aborts
    with 401; a helper that reads is_anonymous to shape its output turns no one away."""
    r, _ = routes({
        "app.py": """
from flask import Flask, abort, g
from flask.views import MethodView
from flask_login import current_user

app = Flask(__name__)


def user_payload(user):
    if user.is_anonymous:
        payload = {}
    else:
        payload = {"name": user.name}
    return payload


class Base(MethodView):
    def _require_user(self):
        if not current_user.is_authenticated:
            abort(401)


class Items(Base):
    def get(self):
        self._require_user()
        return {}


class Profile(MethodView):
    def get(self):
        return user_payload(current_user)


app.add_url_rule("/items", view_func=Items.as_view("items"))
app.add_url_rule("/profile", view_func=Profile.as_view("profile"))
""",
    })
    assert r[("GET", "/items")].auth == "protected"
    assert r[("GET", "/items")].guards[0].reason == "calls app.Base._require_user"
    assert r[("GET", "/profile")].auth == "unprotected"


def test_view_passed_into_a_registration_helper_is_not_a_route_of_the_helper():
    """``register_view(bp, routes, view_func)`` calls add_url_rule with its parameters: the
    helper itself registers no route that could be judged (which view is the caller's); each
    call of it registers the caller's view under the caller's rules."""
    r, report = routes({
        "forum/__init__.py": "from flask import Flask\nfrom .views import bp\napp = Flask(__name__)\napp.register_blueprint(bp)\n",
        "forum/helpers.py": """
def register_view(bp_or_app, routes, view_func, **kwargs):
    for route in routes:
        bp_or_app.add_url_rule(route, view_func=view_func, **kwargs)
""",
        "forum/views.py": """
from flask import Blueprint
from flask.views import MethodView
from .helpers import register_view

bp = Blueprint("forum", __name__)

class Topics(MethodView):
    def get(self):
        return {}

register_view(bp, routes=["/topics"], view_func=Topics.as_view("topics"))
""",
    })
    assert not [x for x in report.routes if x.path == "route"]
    assert [(x.method, x.path, x.handler) for x in report.routes] == [("GET", "/topics", "forum.views.Topics.get")]
    # the call registers a real, unauthenticated read (before: no route at all, so no finding)
    assert [f.rule_id for f in report.findings] == ["RG101"]


def test_registration_helper_function_registers_the_callers_rules_view_and_blueprint():
    """FlaskBB: ``register_view(bp_or_app, routes=[...], view_func=V.as_view(...))`` loops over
    ``routes`` calling ``bp_or_app.add_url_rule(route, view_func=view_func)``: every call with a
    literal list of rules is a registration on the blueprint passed in (with its mount prefix),
    guarded by the view class's ``decorators``; a call that passes no literal rule is not."""
    r, report = routes({
        "forum/__init__.py": """
from flask import Flask

def create_app():
    app = Flask(__name__)
    from forum.views import load_blueprints
    load_blueprints(app)
    return app
""",
        "forum/utils/helpers.py": """
def register_view(bp_or_app, routes, view_func, *args, **kwargs):
    for route in routes:
        bp_or_app.add_url_rule(route, view_func=view_func, *args, **kwargs)
""",
        "forum/views.py": """
from flask import Blueprint
from flask.views import MethodView
from flask_login import login_required
from forum.utils.helpers import register_view

class ViewTopic(MethodView):
    def get(self, topic_id, slug=None):
        return {}

class DeleteTopic(MethodView):
    decorators = [login_required]

    def post(self, topic_id, slug=None):
        return {}

def load_blueprints(app):
    forum = Blueprint("forum", __name__)
    register_view(forum, routes=["/topic/<int:topic_id>", "/topic/<int:topic_id>-<slug>"],
                  view_func=ViewTopic.as_view("view_topic"))
    register_view(forum, ["/topic/<int:topic_id>/delete"], DeleteTopic.as_view("delete_topic"))
    register_view(forum, routes=SOME_ROUTES, view_func=DeleteTopic.as_view("other"))
    app.register_blueprint(forum, url_prefix="/forum")
""",
    })
    assert sorted(r) == [("GET", "/forum/topic/<int:topic_id>"), ("GET", "/forum/topic/<int:topic_id>-<slug>"),
                         ("POST", "/forum/topic/<int:topic_id>/delete")]
    assert r[("GET", "/forum/topic/<int:topic_id>")].auth == "unprotected"
    assert r[("GET", "/forum/topic/<int:topic_id>")].endpoint == "forum.view_topic"
    assert r[("POST", "/forum/topic/<int:topic_id>/delete")].auth == "protected"
    assert r[("POST", "/forum/topic/<int:topic_id>/delete")].registration.line == 21


def test_registration_helper_method_of_an_api_subclass_defined_in_another_module():
    """redash: ``class ApiExt(Api)`` whose ``add_org_resource(self, resource, *urls, **kwargs)``
    rewrites the urls and calls ``self.add_resource(resource, *urls, **kwargs)``; ``api =
    ApiExt()`` (here in another module) is an API router, and each ``api.add_org_resource(R,
    "/x", endpoint="e")`` registers R at what the rewrite makes of "/x" (org_scoped_rule here
    always adds the organisation's slug)."""
    r, report = routes({
        "dash/__init__.py": """
from flask import Flask
from dash.handlers import api
app = Flask(__name__)
api.init_app(app)
""",
        "dash/handlers/base.py": """
from flask_login import login_required
from flask_restful import Api, Resource

def org_scoped_rule(rule):
    return "/<org_slug>{}".format(rule)

class ApiExt(Api):
    def add_org_resource(self, resource, *urls, **kwargs):
        urls = [org_scoped_rule(url) for url in urls]
        return self.add_resource(resource, *urls, **kwargs)

class BaseResource(Resource):
    decorators = [login_required]
""",
        "dash/handlers/queries.py": """
from flask_restful import Resource
from dash.handlers.base import BaseResource

class QueryResource(BaseResource):
    def get(self, query_id):
        return {}

    def delete(self, query_id):
        return {}

class PublicQueryResource(Resource):
    def get(self, token):
        return {}
""",
        "dash/handlers/__init__.py": """
from dash.handlers.base import ApiExt
from dash.handlers.queries import PublicQueryResource, QueryResource

api = ApiExt()
api.add_org_resource(QueryResource, "/api/queries/<query_id>", "/api/q/<query_id>", endpoint="query")
api.add_org_resource(PublicQueryResource, "/api/public/<token>")
""",
    })
    assert sorted(r) == [("DELETE", "/<org_slug>/api/q/<query_id>"), ("DELETE", "/<org_slug>/api/queries/<query_id>"),
                         ("GET", "/<org_slug>/api/public/<token>"), ("GET", "/<org_slug>/api/q/<query_id>"),
                         ("GET", "/<org_slug>/api/queries/<query_id>")]
    assert r[("GET", "/<org_slug>/api/queries/<query_id>")].auth == "protected"
    assert r[("GET", "/<org_slug>/api/queries/<query_id>")].endpoint == "query"
    assert r[("DELETE", "/<org_slug>/api/queries/<query_id>")].handler == "dash.handlers.queries.QueryResource.delete"
    assert r[("GET", "/<org_slug>/api/public/<token>")].auth == "unprotected"
    assert r[("GET", "/<org_slug>/api/public/<token>")].endpoint == "publicqueryresource"


def test_class_decorators_that_extend_a_base_resources_decorators_keep_them():
    """redash: ``decorators = BaseResource.decorators + [limiter.limit(...)]`` keeps the base's
    login_required (before: the sum was one unknown guard, and the resource unprotected)."""
    r, _ = routes({
        "dash/__init__.py": "from flask import Flask\nfrom flask_restful import Api\napp = Flask(__name__)\napi = Api(app)\n",
        "dash/base.py": """
from flask_login import login_required
from flask_restful import Resource

class BaseResource(Resource):
    decorators = [login_required]
""",
        "dash/users.py": """
from dash import api
from dash.base import BaseResource
from dash.extensions import limiter

class UserListResource(BaseResource):
    decorators = BaseResource.decorators + [limiter.limit("200/day", methods=["POST"])]

    def post(self):
        return {}

api.add_resource(UserListResource, "/api/users")
""",
    })
    assert r[("POST", "/api/users")].auth == "protected"
    assert [g.name for g in r[("POST", "/api/users")].guards] == ["login_required"]


def test_flask_allows_requirements_on_a_method_view_are_a_guard():
    """FlaskBB: ``decorators = [allows.requires(IsAtleastModerator, on_fail=...)]`` with
    ``allows = Allows(...)`` from flask-allows (or its fork flask-allows2) checks the user."""
    r, _ = routes({
        "bb/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
        "bb/extensions.py": "from flask_allows2 import Allows\nallows = Allows()\n",
        "bb/management.py": """
from flask.views import MethodView
from bb import app
from bb.extensions import allows
from bb.permissions import IsAtleastModerator

class ManageUsers(MethodView):
    decorators = [allows.requires(IsAtleastModerator, on_fail=lambda: None)]

    def post(self):
        return {}

app.add_url_rule("/users", view_func=ManageUsers.as_view("users"))
""",
    })
    assert r[("POST", "/users")].auth == "protected"


def test_blueprint_prefix_from_config_on_an_app_passed_to_a_plugin_hook():
    # FlaskBB: each package registers its blueprint in a plugin hook that receives the app,
    # with the prefix read from the configuration
    r, _ = routes({
        "board/configs/default.py": """
import os

class DefaultConfig(object):
    DEBUG = False
    SECRET_KEY = os.environ.get("SECRET_KEY")
    FORUM_URL_PREFIX = ""
    USER_URL_PREFIX = "/user"
    ADMIN_URL_PREFIX = "/admin"
""",
        "board/user/views.py": """
from flask import Blueprint
from flask_login import login_required
from board.extensions import hookimpl

user = Blueprint("user", __name__)

@user.route("/settings", methods=["POST"])
@login_required
def settings(): ...

@hookimpl
def board_load_blueprints(app):
    app.register_blueprint(user, url_prefix=app.config["USER_URL_PREFIX"])
""",
        "board/management/views.py": """
from flask import Blueprint, current_app
from flask_login import login_required

management = Blueprint("management", __name__)

@management.route("/users/<int:user_id>/delete", methods=["POST"])
@login_required
def delete_user(user_id): ...

def load_blueprints(app):
    app.register_blueprint(management, url_prefix=current_app.config.get("ADMIN_URL_PREFIX"))
""",
        "board/forum/views.py": """
from flask import Blueprint

forum = Blueprint("forum", __name__)

@forum.route("/topic/<int:topic_id>")
def view_topic(topic_id): ...

def board_load_blueprints(app):
    app.register_blueprint(forum, url_prefix=app.config["FORUM_URL_PREFIX"])
    app.register_blueprint(forum, url_prefix=app.config["MISSING_PREFIX"], name="forum2")
""",
    })
    assert {p for _, p in r} == {"/user/settings", "/admin/users/<int:user_id>/delete", "/topic/<int:topic_id>",
                                 "/{MISSING_PREFIX}/topic/<int:topic_id>"}


def test_rules_built_by_a_project_helper_are_evaluated_not_shown_as_code():
    # redash: org_scoped_rule() adds an /<org_slug> prefix when the deployment is multi-org;
    # its default (the final return) is the rule as given
    r, _ = routes({
        "dash/settings.py": "import os\nMULTI_ORG = os.environ.get('MULTI_ORG') == 'true'\n",
        "dash/handlers/base.py": """
from dash import settings

API_PREFIX = "/api/v2"

def org_scoped_rule(rule):
    if settings.MULTI_ORG:
        return "/<org_slug>{}".format(rule)

    return rule

def api_rule(rule):
    return API_PREFIX + rule
""",
        "dash/handlers/views.py": """
from flask import Blueprint
from flask_login import login_required
from external.routing import tenant_rule
from dash.handlers.base import api_rule, org_scoped_rule

routes = Blueprint("dash", __name__)

@routes.route(org_scoped_rule("/dashboard/<slug>"), methods=["GET"])
@login_required
def dashboard(slug): ...

@routes.route(api_rule("/widgets"), methods=["POST"])
@login_required
def widgets(): ...

@routes.route(tenant_rule("/reports"))
@login_required
def reports(): ...

@login_required
def status(): ...

routes.add_url_rule(org_scoped_rule("/status"), view_func=status)
""",
    })
    assert {p for _, p in r} == {"/dashboard/<slug>", "/api/v2/widgets", "{tenant_rule(/reports)}", "/status"}


def test_blueprints_handed_to_an_app_factory_get_the_prefix_its_loop_registers_them_with():
    # lemur: the package lists its blueprints and hands them to the factory, which adds its own
    # and registers each under the API version
    r, _ = routes({
        "certs/__init__.py": """
from certs import factory
from certs.users.views import mod as users_bp
from certs.roles.views import mod as roles_bp

CERTS_BLUEPRINTS = (
    users_bp,
    roles_bp,
)

def create_app(config_path=None):
    app = factory.create_app(app_name=__name__, blueprints=CERTS_BLUEPRINTS, config=config_path)
    configure_hook(app)
    return app

def configure_hook(app):
    from flask import jsonify

    @app.errorhandler(Exception)
    def handle_error(e):
        return jsonify({"message": str(e)}), 500
""",
        "certs/factory.py": """
from flask import Flask
from certs.common.health import mod as health

DEFAULT_BLUEPRINTS = (health,)

API_VERSION = 1

def create_app(app_name=None, blueprints=None, config=None):
    if not blueprints:
        blueprints = DEFAULT_BLUEPRINTS
    else:
        blueprints = blueprints + DEFAULT_BLUEPRINTS
    app = Flask(app_name)
    configure_blueprints(app, blueprints)
    return app

def configure_blueprints(app, blueprints):
    for blueprint in blueprints:
        app.register_blueprint(blueprint, url_prefix=f"/api/{API_VERSION}")
""",
        "certs/common/health.py": """
from flask import Blueprint
mod = Blueprint("healthCheck", __name__)

@mod.route("/healthcheck")
def health(): ...
""",
        "certs/users/views.py": """
from flask import Blueprint
from flask_restful import Api, Resource
from certs.auth.service import login_required

mod = Blueprint("users", __name__)
api = Api(mod)

class UsersList(Resource):
    method_decorators = [login_required]
    def get(self): ...

api.add_resource(UsersList, "/users", endpoint="users")
""",
        "certs/roles/views.py": """
from flask import Blueprint
from flask_login import login_required
mod = Blueprint("roles", __name__)

@mod.route("/roles")
@login_required
def roles(): ...
""",
        "certs/auth/service.py": "from flask_login import login_required\n",
    })
    assert {p for _, p in r} == {"/api/1/healthcheck", "/api/1/users", "/api/1/roles"}


def test_parameter_used_as_an_app_registers_its_routes_with_constant_rules():
    # a plugin's create_app(app) / init_plugin(app), called by an entry point (no caller in the
    # project): the parameter is the app; rules are constants, imported or built from constants
    r, _ = routes({
        "reg/routes.py": 'API = "/api/2.0"\nCREATE_USER = f"{API}/users/create"\n',
        "reg/auth.py": """
from flask import Flask, request
from reg.routes import CREATE_USER

def create_user():
    return request.json["username"]

def _authenticate():
    if request.authorization is None:
        return "login required", 401

def create_app(app: Flask):
    app.add_url_rule(rule=CREATE_USER, view_func=create_user, methods=["POST"])
    app.before_request(_authenticate)
    return app
""",
        "reg/plugins.py": """
from flask import send_file

RELOAD = "/plugins/reload"

def reload_plugins():
    return "ok"

def init_plugin(app):
    app.add_url_rule(RELOAD, view_func=reload_plugins, methods=["POST"])

def register_asset(app, asset_path):
    def asset():
        return send_file(asset_path)
    rule = "/" + asset_path  # computed from the helper's arguments: a helper, not a route
    app.add_url_rule(rule=rule, view_func=asset)
""",
    })
    assert set(r) == {("POST", "/api/2.0/users/create"), ("POST", "/plugins/reload")}
    assert r[("POST", "/api/2.0/users/create")].auth == "protected"
    assert r[("POST", "/plugins/reload")].auth == "unprotected"


def test_parameter_app_stands_for_the_app_its_caller_passes():
    r, _ = routes({
        "shop/__init__.py": """
from flask import Flask
from flask_login import login_required
from .views import init_views

app = Flask(__name__)

@app.before_request
@login_required
def gate():
    pass

init_views(app)
""",
        "shop/views.py": """
def orders():
    return []

def init_views(app):
    app.add_url_rule("/orders", view_func=orders)
""",
    })
    assert set(r) == {("GET", "/orders")}


def test_a_registration_helper_called_with_two_blueprints_serves_its_rules_on_both():
    """CKAN registers the same rules on its ``group`` and ``organization`` blueprints through
    one helper: each blueprint serves them under its own prefix."""
    r, _ = routes({
        "portal/__init__.py": """
from flask import Flask
from portal.views.group import group, organization

app = Flask(__name__)
app.register_blueprint(group)
app.register_blueprint(organization)
""",
        "portal/views/__init__.py": "",
        "portal/views/group.py": """
from flask import Blueprint
from flask_login import login_required

group = Blueprint("group", __name__, url_prefix="/group")
organization = Blueprint("organization", __name__, url_prefix="/organization")


def index(group_type):
    return []


@login_required
def delete(group_type, id):
    return ""


def register_group_plugin_rules(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/", view_func=index)
    blueprint.add_url_rule("/delete/<id>", methods=["POST"], view_func=delete)


register_group_plugin_rules(group)
register_group_plugin_rules(organization)
""",
    })
    assert set(r) == {("GET", "/group/"), ("POST", "/group/delete/<id>"),
                      ("GET", "/organization/"), ("POST", "/organization/delete/<id>")}
    assert r[("POST", "/organization/delete/<id>")].auth == "protected"


def test_rules_built_at_runtime_are_evaluated_or_shown_as_patterns():
    """CKAN's ``u'/<int(min=1, max={0}):ver>'.format(API_MAX_VERSION)`` is evaluated from the
    module's constant; ``'/{0}/<id>'.format(action)`` over a loop variable is a ``{action}``
    pattern, never source text."""
    r, _ = routes({
        "portal/__init__.py": """
from flask import Flask
from portal.api import api

app = Flask(__name__)
app.register_blueprint(api)
""",
        "portal/api.py": """
from flask import Blueprint

API_MAX_VERSION = 3
api = Blueprint("api", __name__, url_prefix="/api")


def get_api(ver=1):
    return {"version": ver}


def member_delete(id):
    return ""


def followers(id):
    return []


api.add_url_rule(u"/<int(min=1, max={0}):ver>".format(API_MAX_VERSION), view_func=get_api)
for action in ["member_delete", "followers"]:
    api.add_url_rule(u"/{0}/<id>".format(action), methods=["GET", "POST"], view_func=globals()[action])
""",
    })
    assert {p for _, p in r} == {"/api/<int(min=1, max=3):ver>", "/api/{action}/<id>"}


def test_routes_on_an_unknown_project_router_class_are_reported_as_a_gap():
    """indico registers every route on instances of its own ``IndicoBlueprint``, whose
    ``add_url_rule`` rewrites the rule before it calls Blueprint's: routeguard does not place
    them, and says so (a warning notification naming the class and the count) instead of
    reporting a clean scan of an application with no routes."""
    report = scan_sources({
        "portal/__init__.py": "from flask import Flask\nfrom portal.events import _bp\napp = Flask(__name__)\n"
                              "app.register_blueprint(_bp)\n",
        "portal/wrappers.py": """
from flask import Blueprint


class PortalBlueprint(Blueprint):
    def add_url_rule(self, rule, endpoint=None, view_func=None, **options):
        if rule.startswith("!"):
            rule = rule[1:]
        return super().add_url_rule(rule, endpoint, view_func, **options)
""",
        "portal/events.py": """
from portal.wrappers import PortalBlueprint

_bp = PortalBlueprint("events", __name__, url_prefix="/events")


def delete_event(event_id):
    return ""


def show_event(event_id):
    return ""


_bp.add_url_rule("/<int:event_id>/delete", "delete", delete_event, methods=("POST",))
_bp.add_url_rule("/<int:event_id>/", "show", show_event)
""",
    })
    gaps = [n for n in report.notifications if "not in the route inventory" in n.message]
    assert [(n.file, n.line, n.level) for n in gaps] == [("portal/events.py", 15, "warning")]
    assert gaps[0].message.startswith("2 route registrations on _bp, an instance of PortalBlueprint")


def test_project_subclasses_of_flask_and_blueprint_are_routers():
    """FitTrackee builds its app from ``class CustomFlask(Flask)`` (a request class of its own)
    and mounts every blueprint on it under ``/api``; a blueprint subclass defined in another
    module that only adds error handling is a blueprint too. Both are routers by their bases,
    wherever they are defined: their routes get the app's prefixes and the checks run on them."""
    table, report = routes({
        "tracker/__init__.py": """
from flask import Flask

from tracker.users.views import users_blueprint
from tracker.workouts.views import workouts_blueprint


class CustomFlask(Flask):
    # parse the user agent ourselves (removed in Werkzeug 2.1)
    request_class = None


def create_app():
    app = CustomFlask(__name__)
    app.register_blueprint(users_blueprint, url_prefix="/api")
    app.register_blueprint(workouts_blueprint, url_prefix="/api")

    @app.route("/health")
    def health():
        return {"status": "ok"}

    return app
""",
        "tracker/blueprints.py": """
from flask import Blueprint, jsonify


class ApiBlueprint(Blueprint):
    \"\"\"A blueprint whose errors are JSON.\"\"\"

    def json_error(self, error):
        return jsonify({"error": str(error)}), 400
""",
        "tracker/users/views.py": """
from flask import request

from tracker.blueprints import ApiBlueprint
from tracker.models import User, db

users_blueprint = ApiBlueprint("users", __name__)


@users_blueprint.route("/users/<username>", methods=["DELETE"])
def delete_user(username):
    user = User.query.filter_by(username=username).first_or_404()
    db.session.delete(user)
    db.session.commit()
    return "", 204
""",
        "tracker/workouts/views.py": """
from flask import Blueprint

workouts_blueprint = Blueprint("workouts", __name__)


@workouts_blueprint.route("/workouts")
def list_workouts():
    return []
""",
        "tracker/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80))
""",
    })
    assert {("DELETE", "/api/users/<username>"), ("GET", "/api/workouts"), ("GET", "/health")} <= set(table)
    assert not [n for n in report.notifications if "not in the route inventory" in n.message]
    assert any(f.rule_id == "RG101" and "/api/users/<username>" in f.message for f in report.findings)


def test_route_table_passed_to_a_registration_helper_registers_each_row():
    """Zou (cgwire): each blueprint package lists ``routes = [(rule, ResourceClass), ...]`` and
    calls ``configure_api_from_blueprint(blueprint, routes, decorators=[...])``, a project helper
    that loops ``for path, resource in route_tuples`` wrapping ``resource.as_view(...)`` in each
    decorator before ``blueprint.add_url_rule(path, view_func=view_func)``. Every row is a route
    of the blueprint passed in, guarded by the decorators the call passes (before: one phantom
    route ``path`` in the helper and none of the 800 real ones)."""
    r, report = routes({
        "studio/__init__.py": "",
        "studio/app/__init__.py": """
import importlib
from flask import Flask

app = Flask(__name__)
for name in ["assets", "user"]:
    module = importlib.import_module(f"studio.app.blueprints.{name}")
    app.register_blueprint(module.blueprint)
""",
        "studio/app/utils/api.py": """
def configure_api_from_blueprint(blueprint, route_tuples, decorators=None):
    view_funcs = {}
    for path, resource in route_tuples:
        view_func = view_funcs.get(resource)
        if view_func is None:
            view_func = resource.as_view(resource.__name__)
            for decorator in decorators or []:
                view_func = decorator(view_func)
            view_funcs[resource] = view_func
        blueprint.add_url_rule(path, view_func=view_func)
    return blueprint
""",
        "studio/app/blueprints/assets/__init__.py": """
from flask import Blueprint
from studio.app.utils.api import configure_api_from_blueprint
from .resources import AssetResource, AssetsResource

routes = [
    ("/data/assets", AssetsResource),
    ("/data/assets/<asset_id>", AssetResource),
]

blueprint = Blueprint("assets", "assets")
api = configure_api_from_blueprint(blueprint, routes)
""",
        "studio/app/blueprints/assets/resources.py": """
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from studio.app.models import Asset

class AssetsResource(MethodView):
    @jwt_required()
    def get(self):
        return [a.serialize() for a in Asset.query.all()]

class AssetResource(MethodView):
    def delete(self, asset_id):
        Asset.query.filter_by(id=asset_id).delete()
        return "", 204
""",
        "studio/app/blueprints/user/__init__.py": """
from flask import Blueprint
from flask_jwt_extended import jwt_required
from studio.app.utils.api import configure_api_from_blueprint
from .resources import UserContextResource

routes = [("/data/user/context", UserContextResource)]

blueprint = Blueprint("user", "user")
api = configure_api_from_blueprint(blueprint, routes, decorators=[jwt_required()])
""",
        "studio/app/blueprints/user/resources.py": """
from flask.views import MethodView

class UserContextResource(MethodView):
    def get(self):
        return {}
""",
        "studio/app/models.py": "class Asset:\n    pass\n",
    })
    assert sorted((x.method, x.path, x.handler, x.auth.value) for x in report.routes) == [
        ("DELETE", "/data/assets/<asset_id>", "studio.app.blueprints.assets.resources.AssetResource.delete",
         "unprotected"),
        ("GET", "/data/assets", "studio.app.blueprints.assets.resources.AssetsResource.get", "protected"),
        ("GET", "/data/user/context", "studio.app.blueprints.user.resources.UserContextResource.get", "protected"),
    ]
    assert [(f.rule_id, f.location.line) for f in report.findings] == [("RG101", 12)]


def test_share_link_checked_by_a_decorator_is_the_credential():
    """Zou's shared playlists: ``@require_valid_playlist_share_link()`` wraps the view in
    ``wrapped(self, token, ...)``, which validates the ``<token>`` of the path. The decorator's
    wrapper uses the secret, so the URL is the credential (before: RG101 on the read); a bare 403
    in the handler (comments disabled for this link) does not make the holder of the link an
    account that must own the playlist (before: RG105 on the comment)."""
    r, report = routes({
        "studio/__init__.py": "", "studio/models.py": """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()

class Person(db.Model):
    id = db.Column(db.Integer, primary_key=True)

class Playlist(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    created_by = db.Column(db.Integer, db.ForeignKey("person.id"))

class ShareLink(db.Model):
    token = db.Column(db.String, primary_key=True)
    playlist_id = db.Column(db.Integer, db.ForeignKey("playlist.id"))
""", "studio/decorators.py": """
from functools import wraps
from flask import g, request
from studio.services import validate_share_token

def require_valid_playlist_share_link(with_password=False):
    def decorator(view_fn):
        @wraps(view_fn)
        def wrapped(self, token, *args, **kwargs):
            g.share_link = validate_share_token(token, request.args.get("password"))
            return view_fn(self, token, *args, **kwargs)
        return wrapped
    return decorator
""", "studio/services.py": """
from werkzeug.exceptions import NotFound
from studio.models import Playlist, ShareLink

def validate_share_token(token, password=None):
    link = ShareLink.query.get(token)
    if link is None:
        raise NotFound()
    return link

def get_playlist(playlist_id):
    return Playlist.query.filter(Playlist.id == playlist_id).one()
""", "studio/views.py": """
from flask import Flask, g, request
from flask.views import MethodView
from studio.decorators import require_valid_playlist_share_link
from studio.services import get_playlist

app = Flask(__name__)

class SharedPlaylistResource(MethodView):
    @require_valid_playlist_share_link(with_password=True)
    def get(self, token):
        return get_playlist(g.share_link.playlist_id)

class SharedPlaylistCommentsResource(MethodView):
    @require_valid_playlist_share_link()
    def post(self, token):
        if not g.share_link.can_comment:
            return {"error": "Comments are disabled for this link"}, 403
        playlist = get_playlist(g.share_link.playlist_id)
        playlist.comments.append(request.json["text"])
        return {}, 201

app.add_url_rule("/shared/playlists/<token>", view_func=SharedPlaylistResource.as_view("shared"))
app.add_url_rule("/shared/playlists/<token>/comments", view_func=SharedPlaylistCommentsResource.as_view("comments"))
"""})
    assert r[("GET", "/shared/playlists/<token>")].auth == "public"
    assert r[("POST", "/shared/playlists/<token>/comments")].auth == "public"
    assert r[("POST", "/shared/playlists/<token>/comments")].guards[0].kind == "capability"
    assert not report.findings


def test_a_status_probe_at_the_root_is_public_by_convention():
    """Zou's ``/status``, ``/status.txt`` and ``/status/influx`` report whether the database and
    queues are up (checking the database creates a status row if none exists): health checks,
    public by convention; an object's status below a parameter is not one."""
    r, _ = routes({"app.py": """
from flask import Flask
app = Flask(__name__)

@app.get("/status")
def status():
    return {"database-up": True}

@app.get("/status.txt")
def status_txt():
    return "database-up: true"

@app.get("/status/influx")
def status_influx():
    return {"database-up": 1}

@app.put("/orders/<int:order_id>/status")
def order_status(order_id):
    return {}
"""})
    assert {p: r[(m, p)].auth for m, p in r} == {
        "/status": "public", "/status.txt": "public", "/status/influx": "public",
        "/orders/<int:order_id>/status": "unprotected"}


def test_app_factory_gate_and_blueprints_built_by_factories():
    """changedetection.io: inside ``changedetection_app()`` a local ``login_manager`` backs the
    app-wide ``before_request`` gate, whose final ``else: return login_manager.unauthorized()``
    runs unless ``LOGIN_DISABLED`` is set (``.get`` with no default: unset by default), and
    whose exemptions name a blueprint (``request.blueprint == 'rss'``) and part of an endpoint
    (``'login' in request.endpoint``). Blueprints are registered as calls of the module's
    factory (``app.register_blueprint(pdf.construct_blueprint(datastore), url_prefix=...)``):
    the blueprint the factory returns, under that prefix, behind the gate (before: prefix
    lost, gate ignored, every route unprotected)."""
    r, _ = routes({
        "cdio/__init__.py": "",
        "cdio/blueprint/__init__.py": "",
        "cdio/blueprint/price_follower.py": """
from flask import Blueprint

def construct_blueprint(datastore):
    bp = Blueprint("price_follower", __name__)

    @bp.route("/<uuid>/accept")
    def accept(uuid):
        datastore.data["watching"][uuid]["processor"] = "restock"
        return "ok"

    return bp
""",
        "cdio/blueprint/rss.py": """
from flask import Blueprint

def construct_blueprint(datastore):
    rss = Blueprint("rss", __name__)

    @rss.route("/feed")
    def feed():
        return datastore.feed()

    return rss
""",
        "cdio/flask_app.py": """
import flask_login
from flask import Flask, request

app = Flask(__name__)

def changedetection_app(config=None, datastore=None):
    login_manager = flask_login.LoginManager(app)
    login_manager.login_view = "login"

    @app.before_request
    def check_authentication():
        if datastore.needs_password() and not flask_login.current_user.is_authenticated:
            if request.endpoint and "login" in request.endpoint:
                return None
            elif app.config.get("LOGIN_DISABLED"):
                return None
            elif request.blueprint == "rss":
                return None
            else:
                return login_manager.unauthorized()

    @app.route("/login", methods=["GET", "POST"])
    def login():
        return "form"

    @app.route("/settings", methods=["POST"])
    def settings():
        datastore.save(request.form)
        return "saved"

    import cdio.blueprint.price_follower as price_follower
    app.register_blueprint(price_follower.construct_blueprint(datastore), url_prefix="/price_follower")
    from cdio.blueprint.rss import construct_blueprint as construct_rss
    app.register_blueprint(construct_rss(datastore), url_prefix="/rss")
    return app
""",
    })
    assert {k: v.auth for k, v in r.items()} == {
        ("GET", "/login"): "public", ("POST", "/login"): "public",
        ("POST", "/settings"): "protected",
        ("GET", "/price_follower/<uuid>/accept"): "protected",
        ("GET", "/rss/feed"): "public",
    }


def test_kitchenowl_health_mail_confirmation_and_model_authorization():
    """KitchenOwl: the health blueprint answers at a random path (``/api/health/8M4F88S8ooi4sMbLBfkkV7ctWwgibW6V``)
    through ``get_health`` (a health check by its name, verb prefix aside); ``POST
    /api/user/confirm-mail`` looks up a mailed challenge (email verification, public by
    convention); ``expense.checkAuthorized()`` (a camelCase check helper on the loaded row)
    ties the row to the caller, so RG105 stays silent."""
    r, report = routes({
        "app/__init__.py": """
from flask import Flask
from app.controller import health, user, expense

app = Flask(__name__)
app.register_blueprint(health.bp, url_prefix="/api/health/8M4F88S8ooi4sMbLBfkkV7ctWwgibW6V")
app.register_blueprint(user.bp, url_prefix="/api/user")
app.register_blueprint(expense.bp, url_prefix="/api/expense")
""",
        "app/controller/__init__.py": "",
        "app/controller/health.py": """
from flask import Blueprint, jsonify
from app.config import BACKEND_VERSION, OPEN_REGISTRATION

bp = Blueprint("health", __name__)

@bp.route("", methods=["GET"])
def get_health():
    return jsonify({"msg": "OK", "version": BACKEND_VERSION, "open_registration": OPEN_REGISTRATION})
""",
        "app/controller/user.py": """
from flask import Blueprint, jsonify, request
from app.models import ChallengeMailVerify

bp = Blueprint("user", __name__)

@bp.route("/confirm-mail", methods=["POST"])
def confirmMail():
    challenge = ChallengeMailVerify.find_by_challenge(request.json["token"])
    if not challenge:
        return jsonify({"msg": "not found"}), 404
    challenge.user.email_verified = True
    challenge.user.save()
    return jsonify({"msg": "DONE"})
""",
        "app/controller/expense.py": """
from flask import Blueprint, jsonify
from flask_jwt_extended import jwt_required
from app.models import Expense

bp = Blueprint("expense", __name__)

@bp.route("/<int:id>", methods=["DELETE"])
@jwt_required()
def deleteExpenseById(id):
    expense = Expense.query.get(id)
    if not expense:
        return jsonify({"msg": "not found"}), 404
    expense.checkAuthorized()
    expense.delete()
    return jsonify({"msg": "DONE"})
""",
        "app/models.py": """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()

class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    password = db.Column(db.String(128))

class Expense(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    paid_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    amount = db.Column(db.Integer)

class ChallengeMailVerify(db.Model):
    challenge_hash = db.Column(db.String(256), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
""",
    })
    assert r[("GET", "/api/health/8M4F88S8ooi4sMbLBfkkV7ctWwgibW6V")].auth == "public"
    assert r[("POST", "/api/user/confirm-mail")].auth == "public"
    assert not report.findings


def test_calibre_web_role_methods_status_variables_and_random_bytes():
    """calibre-web: ``admin_required`` turns away anyone whose ``current_user.role_admin()`` is
    false (a role check written as a method: authorization, so RG104 stays silent on the admin
    pages); the OPDS feed's ``requires_basic_auth_if_no_ano`` answers ``status = 401`` through
    ``auth.auth_error_callback(status)`` (a rejection, so the feed is protected); a handler
    that only draws ``os.urandom`` bytes touches no file or command."""
    r, report = routes({"cps/__init__.py": "", "cps/app.py": """
from functools import wraps
import os
from flask import Blueprint, Flask, abort, jsonify
from flask_httpauth import HTTPBasicAuth
from flask_login import current_user, login_required

app = Flask(__name__)
admi = Blueprint("admin", __name__)
opds = Blueprint("opds", __name__)
auth = HTTPBasicAuth()

def admin_required(f):
    @wraps(f)
    def inner(*args, **kwargs):
        if current_user.role_admin():
            return f(*args, **kwargs)
        abort(403)
    return inner

def requires_basic_auth_if_no_ano(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        status = None
        user = auth.authenticate(auth.get_auth(), "")
        if user in (False, None):
            status = 401
        if status:
            return auth.auth_error_callback(status)
        return f(*args, **kwargs)
    return decorated

@admi.route("/admin/user/<int:user_id>", methods=["POST"])
@login_required
@admin_required
def edit_user(user_id):
    return jsonify({"edited": user_id})

@opds.route("/opds/books")
@requires_basic_auth_if_no_ano
def feed_books():
    return jsonify(load_books())

@app.route("/nonce")
def nonce():
    return jsonify({"nonce": os.urandom(16).hex()})

app.register_blueprint(admi)
app.register_blueprint(opds)
"""})
    assert r[("GET", "/opds/books")].auth == "protected"
    assert r[("POST", "/admin/user/<int:user_id>")].auth == "protected"
    assert not [f for f in report.findings if f.rule_id in ("RG101", "RG104")]


def test_guard_made_by_a_project_decorator_applied_to_the_check():
    """Mailu: ``@permissions_wrapper def global_admin(args, kwargs): return current_user.global_admin``.
    ``permissions_wrapper`` turns the check into a decorator whose wrapper requires login and
    answers 403 unless the check passes, so ``@access.global_admin`` on a view is a guard and a
    role check (before: read as the check's own body, no guard at all: RG101 on the admin UI)."""
    r, report = routes({"mailu/__init__.py": "", "mailu/access.py": """
import functools
import flask
import flask_login

def permissions_wrapper(handler):
    def callback(function, args, kwargs):
        authorized = handler(args, kwargs)
        if not authorized:
            flask.abort(403)
        return function(*args, **kwargs)

    def decorator(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            return callback(function, args, kwargs)
        return flask_login.login_required(wrapper)
    return decorator

@permissions_wrapper
def global_admin(args, kwargs):
    return flask_login.current_user.global_admin

@permissions_wrapper
def authenticated(args, kwargs):
    return True
""", "mailu/views.py": """
from flask import Blueprint, jsonify
from mailu import access
from mailu.models import Domain, db

ui = Blueprint("ui", __name__)

@ui.route("/admin/domain/create", methods=["POST"])
@access.global_admin
def domain_create():
    db.session.add(Domain(name="example.org"))
    db.session.commit()
    return jsonify({})

@ui.route("/announcement", methods=["POST"])
@access.authenticated
def announcement():
    return jsonify({})
"""})
    assert {r[k].auth for k in r} == {"protected"}
    assert not [f for f in report.findings if f.rule_id in ("RG101", "RG104")]


def test_restx_namespace_made_by_the_api_and_a_shared_api_token():
    """Mailu's API: ``relay = api.namespace("relay")`` is a namespace of that flask-restx Api
    (before: its 42 routes were missing), and ``@common.api_token_authorization`` lets through only
    ``hmac.compare_digest(header, v1.api_token)``: the deployment's one API token, held by its
    operator, so changing a user through it is neither RG104 nor RG105."""
    r, report = routes({"mailu/__init__.py": "", "mailu/api/__init__.py": """
from flask import Blueprint
from flask_restx import Api

api_token = None
blueprint = Blueprint("api_v1", __name__)
api = Api(blueprint, version="1.0", title="Mailu API")

from . import user
""", "mailu/api/common.py": """
import hmac
from functools import wraps
from flask import abort, request
from mailu import api as v1

def api_token_authorization(func):
    @wraps(func)
    def decorated_function(*args, **kwds):
        if not request.headers.get("Authorization"):
            abort(401, "A valid Authorization header is mandatory")
        if not hmac.compare_digest(request.headers.get("Authorization").removeprefix("Bearer "), v1.api_token):
            abort(403, "Invalid API token")
        return func(*args, **kwds)
    return decorated_function
""", "mailu/api/user.py": """
from flask_restx import Resource
from . import api, common
from mailu.models import User, db

user = api.namespace("user", description="User operations")

@user.route("/<string:email>")
class UserUpdate(Resource):
    @common.api_token_authorization
    def delete(self, email):
        db.session.delete(User.query.get(email))
        db.session.commit()
        return {"code": 200}
""", "mailu/models.py": """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()

class User(db.Model):
    email = db.Column(db.String(255), primary_key=True)
    password = db.Column(db.String(255))
""", "mailu/app.py": """
from flask import Flask
from mailu import api

app = Flask(__name__)
app.register_blueprint(api.blueprint, url_prefix="/api/v1")
"""})
    assert [(k, v.auth) for k, v in r.items()] == [(("DELETE", "/api/v1/user/<string:email>"), "protected")]
    assert not [f for f in report.findings if f.rule_id in ("RG104", "RG105")]


MWDB_STYLE = {
    "vault/core/service.py": """
from flask import Blueprint, Flask
from flask.views import MethodView


class Resource(MethodView):
    pass


class Service:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.blueprint = Blueprint("api", __name__, url_prefix="/api")

    def add_resource(self, resource, *urls, undocumented=False):
        view = resource.as_view(resource.__name__)
        endpoint = view.__name__.lower()
        for url in urls:
            self.blueprint.add_url_rule(rule=url, endpoint=endpoint, view_func=view)

    def register(self):
        self.app.register_blueprint(self.blueprint)
""",
    "vault/core/app.py": """
from flask import Flask
from vault.core.service import Service
from vault.resources.user import UserResource, UserListResource

app = Flask(__name__)
api = Service(app)
api.add_resource(UserListResource, "/user")
api.add_resource(UserResource, "/user/<login>")
api.register()
""",
    "vault/resources/__init__.py": """
from functools import wraps
from flask import g
from werkzeug.exceptions import Forbidden, Unauthorized


def requires_authorization(f):
    @wraps(f)
    def endpoint(*args, **kwargs):
        if not g.auth_user:
            raise Unauthorized("Not authenticated.")
        return f(*args, **kwargs)
    return endpoint


def requires_capabilities(*required_caps):
    def decorator(f):
        @wraps(f)
        def endpoint(*args, **kwargs):
            for required_cap in required_caps:
                if not g.auth_user.has_rights(required_cap):
                    raise Forbidden(f"You don't have required capability ({required_cap})")
            return f(*args, **kwargs)
        return endpoint
    return decorator
""",
    "vault/resources/user.py": """
from flask import request
from vault.core.service import Resource
from vault.model import User, db
from vault.resources import requires_authorization, requires_capabilities


class UserListResource(Resource):
    @requires_authorization
    @requires_capabilities("manage_users")
    def get(self):
        return {"users": [u.login for u in User.query.all()]}


class UserResource(Resource):
    @requires_authorization
    @requires_capabilities("manage_users")
    def delete(self, login):
        user = User.query.filter(User.login == login).one()
        db.session.delete(user)
        db.session.commit()
        return {"login": login}
""",
    "vault/model.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    login = db.Column(db.String(32), unique=True)
    capabilities = db.Column(db.JSON)

    def has_rights(self, perms):
        return perms in self.capabilities
""",
}


def test_a_service_class_that_registers_resources_on_its_own_blueprint():
    """mwdb: ``api = Service(app)`` is the project's own class; its ``add_resource(resource, *urls)``
    registers ``resource.as_view(...)`` on ``self.blueprint`` for each url. Each call is a route of
    the resource's methods; ``g.auth_user.has_rights(cap)`` under ``requires_capabilities`` is a
    permission check (no RG104 on deleting a user); without it, only authentication is left."""
    report = scan_sources(MWDB_STYLE)
    assert sorted((r.method, r.path, r.auth.value) for r in report.graph.routes) == [
        ("DELETE", "/user/<login>", "protected"), ("GET", "/user", "protected")]
    assert [f.rule_id for f in report.findings] == []
    files = dict(MWDB_STYLE)
    files["vault/resources/user.py"] = files["vault/resources/user.py"].replace(
        '    @requires_capabilities("manage_users")\n    def delete', "    def delete")
    assert [f.rule_id for f in scan_sources(files).findings] == ["RG104"]


API_KEY_HOOK = {
    "otp/lib/clients.py": """
import hmac
from otp.models import Client


def identify_client_by_key(plaintext):
    key_id, _, secret = plaintext.partition(".")
    client = Client.query.filter_by(key_id=key_id).first()
    if not client or not hmac.compare_digest(client.key_hash, secret):
        return None
    return client
""",
    "otp/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Client(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    key_id = db.Column(db.String(32))
    key_hash = db.Column(db.String(128))
    last_seen = db.Column(db.DateTime)
""",
    "otp/api.py": """
from flask import Blueprint, Flask, g, jsonify, request
from otp.lib.clients import identify_client_by_key
from otp.models import Client, db

validate_blueprint = Blueprint("validate", __name__)


@validate_blueprint.before_app_request
def identify_api_client():
    g.client_id = None
    api_key = request.headers.get("X-API-Key")
    if not api_key:
        return
    client = identify_client_by_key(api_key)
    if client is not None:
        g.client_id = client.id


@validate_blueprint.route("/validate/clients/<int:client_id>/seen", methods=["POST"])
def mark_seen(client_id):
    client = Client.query.get(client_id)
    client.last_seen = request.json["when"]
    db.session.commit()
    return jsonify(ok=True)


app = Flask(__name__)
app.register_blueprint(validate_blueprint)
""",
}


def test_a_hook_that_identifies_an_api_client_but_never_rejects_is_no_gate():
    """privacyidea: a ``before_app_request`` hook looks the X-API-Key up with a helper that
    answers None when the secret does not match, and lets every request through: no route is
    behind it. The same hook turning away a request without a known client is a gate."""
    report = scan_sources(API_KEY_HOOK)
    assert [(r.path, r.auth.value) for r in report.graph.routes] == [("/validate/clients/<int:client_id>/seen", "unprotected")]
    files = dict(API_KEY_HOOK)
    files["otp/api.py"] = files["otp/api.py"].replace(
        "    if client is not None:\n        g.client_id = client.id\n",
        "    if client is None:\n        return jsonify(error='unknown client'), 401\n    g.client_id = client.id\n")
    assert [(r.path, r.auth.value) for r in scan_sources(files).graph.routes] == [
        ("/validate/clients/<int:client_id>/seen", "protected")]


def test_a_response_given_a_401_status_after_it_is_made_rejects():
    """MLflow's auth app answers from a ``before_request`` hook with a response whose status it
    sets after making it (``res = make_response(...); res.status_code = 401; return res``): the
    hook turns anonymous callers away, so its routes are protected."""
    r, _ = routes({"mlflow_auth/__init__.py": """
from flask import Flask, jsonify, make_response, request

from mlflow_auth.store import authenticate, list_experiments


def make_basic_auth_response():
    res = make_response("You are not authenticated.")
    res.status_code = 401
    res.headers["WWW-Authenticate"] = 'Basic realm="mlflow"'
    return res


def _before_request():
    if authenticate(request.authorization) is None:
        return make_basic_auth_response()


def create_app(app: Flask):
    app.before_request(_before_request)
    return app


app = create_app(Flask(__name__))


@app.get("/api/2.0/mlflow/experiments/search")
def search_experiments():
    return jsonify(list_experiments())

"""})
    assert {p: x.auth for (m, p), x in r.items()} == {"/api/2.0/mlflow/experiments/search": "protected"}


def test_a_table_of_resources_imported_and_registered_in_a_loop():
    """timesketch: ``API_ROUTES = [(SketchListResource, "/sketches/"), ...]`` in one module, and
    the app factory registers each row on its ``Api(app, prefix="/api/v1")`` with
    ``for route in V1_API_ROUTES: api_v1.add_resource(*route)`` (before: none of the 124 API
    operations was listed). A list of other pairs is no table."""
    r, report = routes({
        "ts/__init__.py": "",
        "ts/app.py": """
from flask import Flask
from flask_restful import Api

from ts.api.v1.routes import API_ROUTES as V1_API_ROUTES


def create_app():
    app = Flask(__name__)
    api_v1 = Api(app, prefix="/api/v1")
    for route in V1_API_ROUTES:
        api_v1.add_resource(*route)
    return app
""",
        "ts/api/__init__.py": "", "ts/api/v1/__init__.py": "",
        "ts/api/v1/routes.py": """
from ts.api.v1.resources.sketch import SketchListResource, SketchResource
from ts.api.v1.resources.user import UserResource

CHOICES = [("admin", "Administrator"), ("user", "User")]

API_ROUTES = [
    (SketchListResource, "/sketches/"),
    (SketchResource, "/sketches/<int:sketch_id>/"),
    (
        UserResource,
        "/users/<int:user_id>/",
    ),
]
""",
        "ts/api/v1/resources/__init__.py": "",
        "ts/api/v1/resources/sketch.py": """
from flask_login import current_user, login_required
from flask_restful import Resource

from ts.models import Sketch


class SketchListResource(Resource):
    @login_required
    def get(self):
        return [s.to_dict() for s in Sketch.query.filter_by(user=current_user)]

    @login_required
    def post(self):
        return {}


class SketchResource(Resource):
    @login_required
    def get(self, sketch_id):
        sketch = Sketch.query.get_or_404(sketch_id)
        if not sketch.has_permission(current_user, "read"):
            return {"error": "forbidden"}, 403
        return sketch.to_dict()
""",
        "ts/api/v1/resources/user.py": """
from flask_restful import Resource

from ts.models import User


class UserResource(Resource):
    def get(self, user_id):
        return User.query.get_or_404(user_id).to_dict()
""",
        "ts/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String)


class Sketch(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
""",
    })
    assert sorted((m, p, x.auth.value) for (m, p), x in r.items()) == [
        ("GET", "/api/v1/sketches/", "protected"), ("GET", "/api/v1/sketches/<int:sketch_id>/", "protected"),
        ("GET", "/api/v1/users/<int:user_id>/", "unprotected"), ("POST", "/api/v1/sketches/", "protected"),
    ]
    assert r[("GET", "/api/v1/users/<int:user_id>/")].handler == "ts.api.v1.resources.user.UserResource.get"
    assert [(f.rule_id, f.location.file) for f in report.findings if f.rule_id == "RG101"] == [
        ("RG101", "ts/api/v1/resources/user.py")]


def test_an_email_confirmation_whose_helper_verifies_the_mailed_token_is_the_way_in():
    """PowerDNS-Admin: ``email = confirm_token(token)``, where the helper's
    ``serializer = URLSafeTimedSerializer(key)`` loads (verifies) the token it is given: the
    check is on the link's content, so the confirmation page stays public (the way in), not a
    route protected by ``confirm_token``; a handler that asks a helper who the caller is
    (``load_user()``, nothing of the request given) is protected."""
    r, _ = routes({
        "pda/__init__.py": "",
        "pda/app.py": """
from flask import Flask

from pda.routes import index_bp

app = Flask(__name__)
app.register_blueprint(index_bp)
""",
        "pda/token.py": """
from flask import abort, current_app, g
from itsdangerous import URLSafeTimedSerializer


def confirm_token(token, expiration=86400):
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"])
    try:
        email = serializer.loads(token, salt=current_app.config["SALT"], max_age=expiration)
    except Exception:
        return False
    return email


def load_user():
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"])
    return serializer.loads(current_app.config["SESSION_TOKEN"])


def require_member(domain_id):
    if not g.user or domain_id not in g.user.domain_ids:
        abort(403)
""",
        "pda/routes.py": """
from flask import Blueprint, abort, render_template

from pda.models import User
from pda.token import confirm_token, load_user, require_member

index_bp = Blueprint("index", __name__)


@index_bp.route("/confirm/<token>", methods=["GET"])
def confirm_email(token):
    email = confirm_token(token)
    if not email:
        return render_template("email_confirmation.html", status=0)
    user = User.query.filter_by(email=email).first_or_404()
    user.update_confirmed(confirmed=1)
    return render_template("email_confirmation.html", status=1)


@index_bp.route("/confirm/pending", methods=["GET"])
def pending():
    if not load_user():
        abort(401)
    return render_template("pending.html")


@index_bp.route("/domains/<int:domain_id>/refresh", methods=["POST"])
def refresh(domain_id):
    require_member(domain_id)
    return render_template("domain.html")
""",
        "pda/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String)
    confirmed = db.Column(db.Boolean)

    def update_confirmed(self, confirmed):
        self.confirmed = confirmed
        db.session.commit()
""",
    })
    assert r[("GET", "/confirm/<token>")].auth.value == "public"
    assert any(g.name == "the way in" for g in r[("GET", "/confirm/<token>")].guards)
    assert r[("GET", "/confirm/pending")].auth.value == "protected"
    # a token refresh whose helper checks the caller's membership (what it is given is an id) is protected
    assert r[("POST", "/domains/<int:domain_id>/refresh")].auth.value == "protected"


def test_an_app_factory_that_binds_the_modules_global_app():
    """zou: ``def create_app(): global app; app = Flask(__name__); ...; return app`` and, in the
    event stream module, ``app = create_app()`` with ``@app.route("/rooms")``: the factory returns
    the module's ``app`` (a global), which is the router it made."""
    r, _ = routes({
        "zou/__init__.py": "",
        "zou/app/__init__.py": """
from flask import Flask

app = None


def create_app():
    global app
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "from-env"
    return app
""",
        "zou/event_stream.py": """
from flask import jsonify
from flask_jwt_extended import jwt_required

from zou.app import create_app

app = create_app()


@app.route("/rooms", methods=["GET"])
@jwt_required()
def rooms():
    return jsonify([])
""",
    })
    assert r[("GET", "/rooms")].auth.value == "protected"


FARADAY_STYLE = {
    "server/__init__.py": "",
    "server/api/__init__.py": "",
    "server/api/base.py": """
from flask import abort, request
from flask_classful import FlaskView, route

from server.models import Workspace, db


class GenericView(FlaskView):
    route_prefix = '/v3/'
    base_args = []
    trailing_slash = False
    model_class = None

    def _get_object(self, object_id, **kwargs):
        return db.session.get(self.model_class, object_id) or abort(404)


class GenericWorkspacedView(GenericView):
    route_prefix = '/v3/ws/<workspace_name>/'
    base_args = ['workspace_name']


class ListMixin:
    def index(self, **kwargs):
        return [o.id for o in self.model_class.query.all()]


class RetrieveWorkspacedMixin:
    def get(self, object_id, workspace_name=None):
        return self._get_object(object_id, workspace_name=workspace_name).to_dict()


class DeleteWorkspacedMixin:
    def delete(self, object_id, workspace_name=None):
        db.session.delete(self._get_object(object_id, workspace_name=workspace_name))
        db.session.commit()
        return None, 204


class FilterWorkspacedMixin:
    @route('/filter')
    def filter(self, workspace_name):
        return [o.id for o in self.model_class.query.filter_by(**request.args)]


class ReadWriteWorkspacedView(ListMixin, RetrieveWorkspacedMixin, DeleteWorkspacedMixin, GenericWorkspacedView):
    pass
""",
    "server/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Workspace(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Host(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    ip = db.Column(db.String(64))
""",
    "server/api/modules/__init__.py": "",
    "server/api/modules/hosts.py": """
from flask import Blueprint
from flask_classful import route

from server.api.base import FilterWorkspacedMixin, ReadWriteWorkspacedView
from server.models import Host, db

host_api = Blueprint('host_api', __name__)


class HostsView(FilterWorkspacedMixin, ReadWriteWorkspacedView):
    route_base = 'hosts'
    model_class = Host

    @route('/<host_id>/services')
    def service_list(self, workspace_name, host_id):
        return []

    def count(self, workspace_name):
        return {"count": Host.query.count()}

    def _helper(self):
        return None


HostsView.register(host_api)
""",
    "server/api/modules/info.py": """
from flask import Blueprint
from server.api.base import GenericView

info_api = Blueprint('info_api', __name__)


class InfoView(GenericView):
    route_base = 'info'

    def get(self):
        return {"version": "1.0"}


class ConfigView(GenericView):
    def get(self):
        return {"websocket_port": 9000}


InfoView.register(info_api)
ConfigView.register(info_api)
""",
    "server/app.py": """
import flask_login
from flask import Flask, abort, request

from server.api.modules.hosts import host_api
from server.api.modules.info import info_api


def register_blueprints(app):
    app.register_blueprint(host_api, url_prefix=app.config['APPLICATION_PREFIX'])
    app.register_blueprint(info_api, url_prefix=app.config['APPLICATION_PREFIX'])


def register_handlers(app):
    @app.before_request
    def default_login_required():
        if flask_login.current_user.is_anonymous and request.method != 'OPTIONS':
            abort(401)


def create_app(testing=False):
    class CustomFlask(Flask):
        SKIP_RULES = ['/v3/ws/<workspace_name>/hosts/bulk_delete/']

        def add_url_rule(self, rule, endpoint=None, view_func=None, **options):
            for skipped in CustomFlask.SKIP_RULES:
                if skipped == rule:
                    return
            return super().add_url_rule(rule, endpoint, view_func, **options)

    app = CustomFlask(__name__)
    app.config['APPLICATION_PREFIX'] = '/_api'
    register_blueprints(app)
    register_handlers(app)
    return app
""",
}


def test_flask_classful_views_registered_on_blueprints():
    """faraday: Flask-Classful ``FlaskView`` subclasses registered with ``View.register(bp)`` serve
    their public methods: ``index``/``get``/``delete`` on their verb, each required argument a
    parameter (``base_args`` given by the ``route_prefix`` add none), other methods on ``GET
    /<name>``, ``@route`` methods on their rule; prefix and base (``route_base``, else the class
    name without "View") read along the bases, methods along the mixins. The app is an instance
    of a ``Flask`` subclass defined in the factory whose ``add_url_rule`` only filters rules and
    passes them on; its ``before_request``, added by a helper given the app, guards them all."""
    r, report = routes(FARADAY_STYLE)
    ws = "/_api/v3/ws/<workspace_name>/hosts"
    assert sorted(r) == sorted([
        ("GET", ws), ("GET", f"{ws}/<object_id>"), ("DELETE", f"{ws}/<object_id>"), ("GET", f"{ws}/filter"),
        ("GET", f"{ws}/<host_id>/services"), ("GET", f"{ws}/count"),
        ("GET", "/_api/v3/info"), ("GET", "/_api/v3/config")])
    assert {route.auth for route in r.values()} == {"protected"}
    assert r[("DELETE", f"{ws}/<object_id>")].handler.endswith("base.DeleteWorkspacedMixin.delete")
    files = dict(FARADAY_STYLE)
    files["server/app.py"] = files["server/app.py"].replace("    register_handlers(app)\n", "")
    unguarded, _ = routes(files)
    assert unguarded[("DELETE", f"{ws}/<object_id>")].auth == "unprotected"


def test_route_methods_written_as_http_method_members():
    """OpenOversight: ``methods=[HTTPMethod.GET, HTTPMethod.POST]`` (Python 3.11's ``http.HTTPMethod``)
    are the methods GET and POST, on a function and on a class view's rule."""
    r, _ = routes({"app.py": """
from http import HTTPMethod

from flask import Blueprint, Flask
from flask.views import MethodView

app = Flask(__name__)
main = Blueprint("main", __name__)


@main.route("/officers/<int:officer_id>/edit", methods=[HTTPMethod.GET, HTTPMethod.POST])
def edit_officer(officer_id):
    return ""


class NoteApi(MethodView):
    def get(self, obj_id):
        return ""

    def post(self, obj_id):
        return ""

    def delete(self, obj_id):
        return ""


main.add_url_rule("/notes/<int:obj_id>", view_func=NoteApi.as_view("note"), methods=[HTTPMethod.GET, HTTPMethod.POST])
app.register_blueprint(main)
"""})
    assert sorted(r) == [("GET", "/notes/<int:obj_id>"), ("GET", "/officers/<int:officer_id>/edit"),
                         ("POST", "/notes/<int:obj_id>"), ("POST", "/officers/<int:officer_id>/edit")]


def test_a_permission_instance_held_by_a_class_and_a_registration_made_by_partial():
    """OctoPrint: ``@Permissions.FILES_DELETE.require(403)``, ``FILES_DELETE`` a class attribute
    holding an instance of a ``flask_principal.Permission`` subclass, is that library's guard; the
    API blueprint is registered through ``functools.partial(app.register_blueprint, api,
    url_prefix="/api")``, called later in a loop."""
    r, report = routes({'app/__init__.py': '', 'app/api.py': 'from flask import Blueprint, jsonify\n\nfrom app.permissions import Permissions, admin_permission\n\napi = Blueprint("api", __name__)\n\n\n@api.route("/files/<path:name>", methods=["DELETE"])\n@Permissions.FILES_DELETE.require(403)\ndef delete_file(name):\n    return jsonify(ok=True)\n\n\n@api.route("/settings", methods=["POST"])\n@admin_permission.require(http_exception=403)\ndef save_settings():\n    return jsonify(ok=True)\n', 'app/permissions.py': 'from flask_principal import Permission, RoleNeed\n\n\nclass AppPermission(Permission):\n    def __init__(self, name, description, *needs):\n        self._name = name\n        Permission.__init__(self, *needs)\n\n\nclass Permissions:\n    ADMIN = AppPermission("Admin", "Full access", RoleNeed("admin"))\n    FILES_DELETE = AppPermission("Delete files", "Delete files", RoleNeed("files_delete"))\n\n\nadmin_permission = Permission(RoleNeed("admin"))\n', 'app/server.py': 'import functools\nfrom flask import Flask\nfrom app.api import api\n\napp = Flask(__name__)\nregistrators = [functools.partial(app.register_blueprint, api, url_prefix="/api")]\nfor registrator in registrators:\n    registrator()\n'})
    assert {k: v.auth for k, v in r.items()} == {("DELETE", "/api/files/<path:name>"): "protected",
                                                ("POST", "/api/settings"): "protected"}
    assert not report.findings


def test_a_registration_whose_rule_and_view_are_computed_at_run_time_is_no_route():
    """OctoPrint's plugin machinery registers whatever its own ``@route`` decorator recorded on the
    plugin's methods: ``for rule, options in f._blueprint_rules[member]: blueprint.add_url_rule(rule,
    endpoint, view_func=f, **options)``. Neither the rule nor the view is known before run time: no
    ``{rule}`` phantom route."""
    r, _ = routes({"app.py": """
from flask import Blueprint, Flask

app = Flask(__name__)


class BlueprintPlugin:
    def get_blueprint(self):
        blueprint = Blueprint("plugin", __name__)
        for member in dir(self):
            f = getattr(self, member)
            for rule, options in getattr(f, "_blueprint_rules", {}).get(member, ()):
                endpoint = options.pop("endpoint", f.__name__)
                blueprint.add_url_rule(rule, endpoint, view_func=f, **options)
        return blueprint



@app.get("/healthz")
def health():
    return "ok"
"""})
    assert sorted(r) == [("GET", "/healthz")]


def test_a_decorator_that_sets_its_answer_in_each_branch_and_returns_it_once():
    """pyload's ``login_required(perm)``: the wrapper sets ``response`` in every branch (a
    ``"Forbidden", 403`` tuple for a missing permission or an XHR call, a redirect to the login
    page otherwise, the view's own answer for a permitted caller) and returns it at its one
    exit. The branches that set a rejection end the request as a ``return`` would, also nested
    in an ``if``/``else`` whose every branch answers."""
    r, report = routes({"webui/helpers.py": """
from functools import wraps

import flask


def is_authenticated(session):
    return session.get("authenticated", False) and session.get("name")


def login_required(perm):
    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            s = flask.session
            if is_authenticated(s):
                perms = s.get("perms", {})
                if perm not in perms or not perms[perm]:
                    response = "Forbidden", 403
                else:
                    response = func(*args, **kwargs)
            else:
                s.clear()
                if flask.request.headers.get("X-Requested-With") == "XMLHttpRequest":
                    response = "Forbidden", 403
                else:
                    response = flask.redirect(flask.url_for("app.login", next=flask.request.path))
            return response

        return wrapper

    return decorator


def logged_only(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        if flask.session.get("name"):
            response = func(*args, **kwargs)
        else:
            flask.flash("Please log in")
            response = None
        return response or flask.render_template("index.html")

    return wrapper
""", "webui/app.py": """
import os

import flask

from webui.helpers import logged_only, login_required

app = flask.Flask(__name__)


@app.route("/settings", methods=["POST"])
@login_required("SETTINGS")
def save_settings():
    flask.current_app.config.update(flask.request.form)
    return "ok"


@app.route("/files/<path:name>", methods=["DELETE"])
@login_required("DELETE")
def delete_file(name):
    os.remove(os.path.join("/downloads", name))
    return "", 204


@app.route("/notes", methods=["POST"])
@logged_only
def add_note():
    open("/tmp/notes", "a").write(flask.request.form["text"])
    return "ok"
"""})
    assert r[("POST", "/settings")].auth == "protected"
    assert r[("DELETE", "/files/<path:name>")].auth == "protected"
    # a branch that only flashes and sets nothing that is returned as it stands does not end the request
    assert r[("POST", "/notes")].auth == "unprotected"
    assert {f.rule_id for f in report.findings if "/notes" in f.message} == {"RG101"}
    assert not [f for f in report.findings if ("/settings" in f.message or "/files" in f.message) and f.rule_id == "RG101"]


def test_a_login_hook_registered_only_when_configured_is_optional_authentication():
    """A ``before_request`` hook added under ``if app.config.get("REQUIRE_LOGIN"):`` (no else) runs
    only in deployments that set the key: the routes are public by configuration, with that reason;
    under ``if not app.testing:`` it runs in every deployment."""
    def state(condition):
        r, _ = routes({"wiki/__init__.py": """
from flask import Flask, jsonify, redirect, request, session, url_for


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_mapping(config or {})

{CONDITION}
        @app.before_request
        def require_login():
            if request.endpoint != "login" and "user_id" not in session:
                return redirect(url_for("login"))

    @app.post("/pages/<slug>")
    def save_page(slug):
        return jsonify(slug=slug, body=request.json["body"])

    @app.route("/login", methods=["GET", "POST"])
    def login():
        return "login form"

    return app
""".replace("{CONDITION}", condition)})
        route = r[("POST", "/pages/<slug>")]
        return route.auth, [g.reason for g in route.guards]

    auth, reasons = state('    if app.config.get("REQUIRE_LOGIN"):')
    assert auth == "public" and any("runs only if app.config.get(\"REQUIRE_LOGIN\")" in x for x in reasons), reasons
    assert state("    if not app.testing:")[0] == "protected"


def test_a_session_key_that_holds_page_state_is_no_login_check():
    """pgAdmin's query tool: ``if 'gridData' not in session: return make_json_response(...)``
    bails out when the session holds no grid, which a caller without a login gets too (the routes
    of CVE-2026-12046 read as protected by it). A key naming who the caller is (``user_id``) is the
    Flask tutorial's login check."""
    def state(test, leave):
        r, _ = routes({"tool/__init__.py": """
from flask import Flask, jsonify, redirect, request, session, url_for

app = Flask(__name__)


@app.post("/sqleditor/close/<int:trans_id>")
def close(trans_id):
{TEST}
        {LEAVE}
    grid = session["gridData"]
    grid.pop(str(trans_id), None)
    session["gridData"] = grid
    return jsonify(status=True)
""".replace("{TEST}", test).replace("{LEAVE}", leave)})
        return r[("POST", "/sqleditor/close/<int:trans_id>")].auth

    assert state("    if 'gridData' not in session:", "return jsonify(status=True)") == "unprotected"
    assert state("    if not session.get('gridData'):", "return jsonify(status=True)") == "unprotected"
    assert state("    if 'user_id' not in session:", 'return redirect(url_for("login"))') == "protected"


def test_a_handler_that_hands_the_request_to_a_guarded_handler_is_guarded_by_it():
    """Airflow's ``set_mapped_task_instance_note`` is ``return set_task_instance_note(...)``, a
    handler decorated with ``@security.requires_access_dag("PUT", ...)``: the decorator's check
    runs on that call, so the mapped route is protected by it (it read as open: a false RG101)."""
    r, report = routes({"notes/__init__.py": """
from functools import wraps

from flask import Flask, abort, jsonify, request
from flask_login import current_user

app = Flask(__name__)


def requires_access(method):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            return view(*args, **kwargs)
        return wrapped
    return decorator


@app.patch("/tasks/<task_id>/note")
@requires_access("PUT")
def set_task_note(task_id, map_index=-1):
    return jsonify(task_id=task_id, map_index=map_index, note=request.json["note"])


@app.patch("/tasks/<task_id>/<int:map_index>/note")
def set_mapped_task_note(task_id, map_index):
    return set_task_note(task_id, map_index=map_index)
"""})
    assert r[("PATCH", "/tasks/<task_id>/<int:map_index>/note")].auth == "protected"
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_flask_allows_permission_tested_in_the_handler_is_a_permission_check():
    """FlaskBB: ``if not Permission(Has("makehidden"), IsAtleastModeratorInForum(forum=topic.forum)):``
    with the identity left to flask-allows' loader (the current user) decides before the write."""
    from routeguard import scan_sources
    sources = {
        "forum/__init__.py": "",
        "forum/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Topic(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    hidden = db.Column(db.Boolean, default=False)
""",
        "forum/views.py": """
from flask import Blueprint, flash, redirect
from flask.views import MethodView
from flask_allows import Permission
from flask_login import current_user, login_required

from forum.models import Topic, db
from forum.requirements import Has, IsAtleastModeratorInForum

forum = Blueprint("forum", __name__)


class HideTopic(MethodView):
    decorators = [login_required]

    def post(self, topic_id):
        topic = Topic.query.filter_by(id=topic_id).first_or_404()
        if not Permission(Has("makehidden"), IsAtleastModeratorInForum(forum=topic.forum)):
            flash("You do not have permission to hide this topic", "danger")
            return redirect("/")
        topic.hidden = True
        db.session.commit()
        return redirect("/")


forum.add_url_rule("/topic/<int:topic_id>/hide", view_func=HideTopic.as_view("hide_topic"))
""",
    }
    hits = [f for f in scan_sources(sources, config={"select": ["RG105"]}).findings]
    assert hits == []
    check = [line for line in sources["forum/views.py"].splitlines(keepends=True)
             if "Permission(Has" in line or "You do not have permission" in line]
    without = sources["forum/views.py"].replace("".join(check), "").replace(
        '            return redirect("/")\n        topic.hidden', "        topic.hidden")
    sources["forum/views.py"] = without
    assert len(scan_sources(sources, config={"select": ["RG105"]}).findings) == 1
