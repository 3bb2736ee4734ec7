"""Rejections that apply only when an object exists (``if obj and obj.user != current_user:
return 403``) turn away the caller who is not the owner, and so the anonymous one, on a route
that addresses an object; on a route that creates one there is no object and no check. A
hook that turns away the anonymous caller under a condition of its own (FlaskBB's
``force_login_if_needed``: only in a forum closed to guests) stays a guard."""
from routeguard import scan_sources

MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    body = db.Column(db.Text)
"""

POSTS = """
from flask import Blueprint, abort, request
from flask_login import current_user

from .models import Post, db

posts = Blueprint("posts", __name__)


def load_post(post_id):
    return Post.query.get(post_id) if post_id else None


@posts.route("/posts/<int:post_id>/edit", methods=["POST"])
def edit_post(post_id):
    post = load_post(post_id)
    if post and post.user_id != current_user.id:
        abort(403)
    post.body = request.form["body"]
    db.session.commit()
    return "", 204


@posts.route("/posts/new", methods=["POST"])
def new_post():
    post = load_post(request.form.get("reply_to"))
    if post and post.user_id != current_user.id:
        abort(403)
    db.session.add(Post(user_id=current_user.id, body=request.form["body"]))
    db.session.commit()
    return "", 201
"""

FORUM = """
from flask import Blueprint, current_app, g
from flask_login import current_user

from .models import db

forum = Blueprint("forum", __name__)


def should_force_login(user, forum):
    return not user.is_authenticated and not forum.guests_allowed


def force_login_if_needed():
    if g.current_forum and should_force_login(current_user, g.current_forum):
        return current_app.login_manager.unauthorized()


forum.before_request(force_login_if_needed)


@forum.route("/forum/<int:forum_id>/mark-read", methods=["POST"])
def mark_read(forum_id):
    db.session.execute(db.text("UPDATE forum_reads SET read = 1"))
    db.session.commit()
    return "", 204
"""

APP = """
from flask import Flask

from .forum import forum
from .posts import posts

app = Flask(__name__)
app.register_blueprint(posts)
app.register_blueprint(forum)
"""


def _routes():
    report = scan_sources({"app/__init__.py": APP, "app/models.py": MODELS, "app/posts.py": POSTS,
                           "app/forum.py": FORUM})
    return {r.path: r for r in report.graph.routes}, {(f.rule_id, f.location.line) for f in report.visible()}


def test_owner_check_on_an_existing_object_guards_the_route_that_addresses_it():
    routes, _ = _routes()
    assert routes["/posts/<int:post_id>/edit"].auth.value == "protected"


def test_owner_check_that_lets_everyone_through_without_an_object_does_not_guard_a_create_route():
    routes, found = _routes()
    assert routes["/posts/new"].auth.value == "unprotected"
    assert ("RG101", POSTS.splitlines().index('@posts.route("/posts/new", methods=["POST"])') + 1) in found


def test_a_hook_that_turns_away_anonymous_callers_under_its_own_condition_stays_a_guard():
    routes, _ = _routes()
    assert routes["/forum/<int:forum_id>/mark-read"].auth.value == "protected"


SIGMA_STYLE = {
    "ts/__init__.py": "",
    "ts/app.py": """
from flask import Flask

from ts.rules import rules_bp

app = Flask(__name__)
app.register_blueprint(rules_bp)
""",
    "ts/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class SigmaRule(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    rule_uuid = db.Column(db.String, unique=True)
    rule_yaml = db.Column(db.Text)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
""",
    "ts/rules.py": """
from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from ts.models import SigmaRule, db

rules_bp = Blueprint("rules", __name__)


@rules_bp.route("/sigmarules/", methods=["POST"])
@login_required
def create_rule():
    rule_uuid = request.json.get("rule_uuid")
    existing = SigmaRule.query.filter_by(rule_uuid=rule_uuid).first()
    if existing:
        abort(409, f"Rule {rule_uuid} was already found in the database")
    rule = SigmaRule(rule_uuid=rule_uuid, rule_yaml=request.json.get("rule_yaml"), user_id=current_user.id)
    db.session.add(rule)
    db.session.commit()
    return jsonify({"id": rule.id}), 201


@rules_bp.route("/sigmarules/copy", methods=["POST"])
@login_required
def copy_rule():
    source = SigmaRule.query.filter_by(rule_uuid=request.json.get("rule_uuid")).first()
    if source is None:
        abort(404)
    rule = SigmaRule(rule_uuid=request.json.get("new_uuid"), rule_yaml=source.rule_yaml, user_id=current_user.id)
    db.session.add(rule)
    db.session.commit()
    return jsonify({"id": rule.id}), 201
""",
}


def test_a_row_looked_up_only_to_refuse_a_duplicate_is_no_access_to_it():
    """timesketch's sigma rules: ``if SigmaRule.query.filter_by(rule_uuid=...).first(): abort(409)``
    tests whether the client's id is taken; nothing of the row found is read or changed (before:
    RG105). A row that is then used (copied from) is accessed."""
    report = scan_sources(SIGMA_STYLE)
    got = [(f.location.file, f.location.line) for f in report.findings if f.rule_id == "RG105"]
    source = SIGMA_STYLE["ts/rules.py"].splitlines()
    copy_route = next(i for i, text in enumerate(source, 1) if '"/sigmarules/copy"' in text)
    assert got == [("ts/rules.py", copy_route)]  # a route finding is placed at its handler


PARENT_SCOPED = {
    "proj/__init__.py": "",
    "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\nINSTALLED_APPS = ['docs']\n",
    "proj/urls.py": """
from django.urls import path

from docs.views import WebHookDelete, WebHookLeak

urlpatterns = [
    path("dashboard/<slug:project_slug>/webhooks/<int:webhook_pk>/delete/", WebHookDelete.as_view()),
    path("dashboard/<slug:project_slug>/webhooks/<int:webhook_pk>/copy/", WebHookLeak.as_view()),
]
""",
    "docs/__init__.py": "",
    "docs/models.py": """
from django.conf import settings
from django.db import models


class Project(models.Model):
    slug = models.SlugField()
    users = models.ManyToManyField(settings.AUTH_USER_MODEL)


class WebHook(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    url = models.URLField()
    secret = models.CharField(max_length=64)
""",
    "docs/views.py": """
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views import View

from docs.models import Project, WebHook


class ProjectAdminMixin(LoginRequiredMixin):
    def get_project(self):
        return get_object_or_404(Project.objects.filter(users=self.request.user), slug=self.kwargs["project_slug"])


class WebHookDelete(ProjectAdminMixin, View):
    def post(self, request, project_slug, webhook_pk):
        webhook = get_object_or_404(WebHook, pk=webhook_pk, project=self.get_project())
        webhook.delete()
        return HttpResponseRedirect("/dashboard/")


class WebHookLeak(ProjectAdminMixin, View):
    def post(self, request, project_slug, webhook_pk):
        webhook = get_object_or_404(WebHook, pk=webhook_pk, project=Project.objects.first())
        webhook.pk = None
        webhook.save()
        return HttpResponseRedirect("/dashboard/")
""",
}


def test_a_row_filtered_by_a_parent_the_caller_owns_is_tied_to_the_caller():
    """Read the Docs' dashboard: ``get_object_or_404(WebHook, pk=..., project=self.get_project())``
    where the mixin's ``get_project`` looks the project up among the caller's own
    (``Project.objects.filter(users=self.request.user)``): the webhook is tied through its parent
    (issue 13's "also through a parent"). A parent found without the caller ties nothing."""
    report = scan_sources(PARENT_SCOPED)
    got = [f.message.split(" ")[1] for f in report.findings if f.rule_id == "RG105"]
    assert got == ["/dashboard/<slug:project_slug>/webhooks/<int:webhook_pk>/copy/"]


def test_a_lookup_filtered_on_the_caller_an_authenticating_decorator_passes_in():
    """The token decorator generated Flask code writes: it verifies the JWT, loads the user and
    calls ``f(user, *args, **kwargs)`` (or ``f(*args, owner=owner, **kwargs)``); a view that
    filters on that parameter (``filter_by(id=todo_id, user_id=user.id)``) is tied to the caller
    whatever the parameter is called. The view that loads the row by id alone is not."""
    from routeguard import scan_sources

    report = scan_sources({"app.py": 'from functools import wraps\n\nimport jwt\nfrom flask import Flask, jsonify, request\nfrom flask_sqlalchemy import SQLAlchemy\n\napp = Flask(__name__)\ndb = SQLAlchemy(app)\n\n\nclass User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    password_hash = db.Column(db.String(128))\n\n\nclass Todo(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    title = db.Column(db.String(80))\n    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))\n\n\ndef token_required(f):\n    @wraps(f)\n    def decorated(*args, **kwargs):\n        token = request.headers.get("Authorization", "").removeprefix("Bearer ")\n        if not token:\n            return jsonify({"message": "Token is missing"}), 401\n        try:\n            data = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])\n            user = User.query.get(data["user_id"])\n        except Exception:\n            return jsonify({"message": "Token is invalid"}), 401\n        return f(user, *args, **kwargs)\n    return decorated\n\n\ndef project_required(f):\n    @wraps(f)\n    def decorated(*args, **kwargs):\n        token = request.headers.get("Authorization", "").removeprefix("Bearer ")\n        try:\n            data = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])\n        except Exception:\n            return jsonify({"message": "Token is invalid"}), 401\n        owner = User.query.get(data["user_id"])\n        return f(*args, owner=owner, **kwargs)\n    return decorated\n\n\n@app.route("/todos/<int:todo_id>", methods=["GET"])\n@token_required\ndef get_todo(user, todo_id):\n    todo = Todo.query.filter_by(id=todo_id, user_id=user.id).first_or_404()\n    return jsonify({"id": todo.id, "title": todo.title})\n\n\n@app.route("/todos/<int:todo_id>", methods=["DELETE"])\n@project_required\ndef delete_todo(todo_id, owner):\n    todo = Todo.query.filter_by(id=todo_id, user_id=owner.id).first_or_404()\n    db.session.delete(todo)\n    db.session.commit()\n    return "", 204\n\n\n@app.route("/todos/<int:todo_id>", methods=["PUT"])\n@token_required\ndef update_todo(user, todo_id):\n    todo = Todo.query.get_or_404(todo_id)\n    todo.title = request.json["title"]\n    db.session.commit()\n    return jsonify({"id": todo.id})\n'})
    found = [(f.rule_id, f.message.split(" loads")[0]) for f in report.findings]
    assert found == [("RG105", "PUT /todos/<int:todo_id>")]
