from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=200)])
